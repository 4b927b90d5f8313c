/**
 * Label values for the metrics: closed sets only, so a bad record or a new ingest error code
 * can never add a series. Anything unknown is counted under `*_other`.
 */
export const BAD_ROW_TYPE_LABELS = ['decode', 'parse', 'validation', 'partition', 'ingest_invalid_event', 'ingest_event_too_large', 'ingest_unreadable', 'ingest_other', 'other'] as const;
export type BadRowTypeLabel = (typeof BAD_ROW_TYPE_LABELS)[number];

const known = new Set<string>(BAD_ROW_TYPE_LABELS);

export function badRowTypeLabel(errorType: string): BadRowTypeLabel {
  if (known.has(errorType)) return errorType as BadRowTypeLabel;
  return errorType.startsWith('ingest_') ? 'ingest_other' : 'other';
}

export const FILE_FORMAT_LABELS = ['ndjson', 'parquet'] as const;
export const DUPLICATE_SCOPE_LABELS = ['flush', 'seen_index'] as const;
