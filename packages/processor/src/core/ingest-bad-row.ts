import { formatIssue, INGEST_OTHER, INGEST_REJECTION_CODES, type Issue } from '@eventline/schemas';
import { truncatePayload, type BadRow } from './bad-row';
import type { ClassifiedRecord, InputRecord } from './process';

/** What the ingest writes to its bad-rows stream (`events-bad`) for each rejected event. */
interface IngestBadRow {
  error_type: string;
  issues?: unknown;
  app_id?: string;
  received_at?: string;
  request_id?: string;
  payload?: unknown;
  payload_truncated?: boolean;
  /** Set (true) when the ingest cut the event's issues (its capIssues): only then present. */
  issues_truncated?: boolean;
}

const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Records of the ingest's bad-rows stream as lake bad rows, so rejections at the edge are
 * queryable in `bad_rows` next to the processor's own. Error types get an `ingest_` prefix
 * (`ingest_invalid_event`); a code the catalog does not list is `ingest_other` (the code in the
 * reason), and a record that is not such a row is kept as `ingest_unreadable`.
 */
export function classifyIngestBadRows(records: readonly InputRecord[], now: () => Date = () => new Date()): ClassifiedRecord[] {
  return records.map((record) => ({ sequenceNumber: record.sequenceNumber, bytes: record.data.byteLength, badRow: toLakeBadRow(record, now()) }));
}

/** One record of the ingest's bad-rows stream as a lake bad row (see classifyIngestBadRows). */
export function toLakeBadRow(record: InputRecord, failedAt: Date): BadRow {
  const text = lenientUtf8.decode(record.data);
  const row = parse(text);
  const base = {
    sequence_number: record.sequenceNumber,
    partition_key: record.partitionKey,
    arrived_at: record.arrivalTime ? record.arrivalTime.toISOString() : null,
  };
  if (!row) {
    return { ...base, error_type: 'ingest_unreadable', reason: 'not an ingest bad row', ...truncatePayload(text), failed_at: failedAt.toISOString() };
  }
  const payload = typeof row.payload === 'string' ? row.payload : (JSON.stringify(row.payload) ?? '');
  const cut = truncatePayload(payload);
  // A code the catalog does not list would land in a folder Athena's enum projection never reads.
  const known = (INGEST_REJECTION_CODES as readonly string[]).includes(row.error_type);
  return {
    ...base,
    error_type: known ? `ingest_${row.error_type}` : INGEST_OTHER,
    reason: known ? reasonOf(row.issues) : `ingest code ${JSON.stringify(row.error_type.slice(0, 64))}: ${reasonOf(row.issues)}`,
    payload: cut.payload,
    payload_truncated: cut.payload_truncated || row.payload_truncated === true,
    failed_at: validDate(row.received_at) ?? failedAt.toISOString(),
    ...(row.app_id ? { app_id: row.app_id } : {}),
    ...(row.request_id ? { request_id: row.request_id } : {}),
    // Always a boolean on an ingest row: `false` says the reason is every issue, not that nobody knows.
    issues_truncated: row.issues_truncated === true,
  };
}

function parse(text: string): IngestBadRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Handled: the caller keeps the record as an `ingest_unreadable` bad row.
    return undefined;
  }
  const v = value as Partial<IngestBadRow> | null;
  return v !== null && typeof v === 'object' && typeof v.error_type === 'string' && v.error_type !== '' ? (v as IngestBadRow) : undefined;
}

function reasonOf(issues: unknown): string {
  if (!Array.isArray(issues)) return '';
  return issues
    .map((issue: unknown) => (typeof issue === 'string' ? issue : isIssue(issue) ? formatIssue(issue) : JSON.stringify(issue)))
    .join('\n');
}

function isIssue(value: unknown): value is Issue {
  return typeof value === 'object' && value !== null && typeof (value as Issue).message === 'string' && typeof (value as Issue).path === 'string';
}

function validDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
