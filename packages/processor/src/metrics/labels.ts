import { BAD_ROW_ERROR_TYPES, type BadRowErrorTypeName } from '@eventline/schemas';

/**
 * Label values for the metrics: closed sets only, so a bad record or a new ingest error code
 * can never add a series. Anything unknown is counted under `*_other`. Bad-row types are the
 * schemas' list (the catalog projects the same, `ingest_other` included), plus `other`.
 */
export type BadRowTypeLabel = BadRowErrorTypeName | 'other';
export const BAD_ROW_TYPE_LABELS: readonly BadRowTypeLabel[] = [...BAD_ROW_ERROR_TYPES, 'other'];

const known = new Set<string>(BAD_ROW_TYPE_LABELS);

export function badRowTypeLabel(errorType: string): BadRowTypeLabel {
  if (known.has(errorType)) return errorType as BadRowTypeLabel;
  return errorType.startsWith('ingest_') ? 'ingest_other' : 'other';
}

export const FILE_FORMAT_LABELS = ['ndjson', 'parquet'] as const;
export const DUPLICATE_SCOPE_LABELS = ['flush', 'seen_index'] as const;
