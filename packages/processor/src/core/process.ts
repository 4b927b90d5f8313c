import { formatIssue, validateStoredEvent, type StoredEvent } from '@eventline/schemas';
import { truncatePayload, type BadRow, type BadRowErrorType } from './bad-row';

/** One record as any source delivers it: Kinesis GetRecords, a Lambda event, a test. */
export interface InputRecord {
  data: Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  arrivalTime?: Date;
}

/** An accepted event and the record it came from (delivery names files by sequence number). */
export interface AcceptedRow {
  event: StoredEvent;
  sequenceNumber: string;
}

export interface ClassifiedRecords {
  accepted: AcceptedRow[];
  badRows: BadRow[];
  /** Records dropped because an earlier record in the same batch had the same event_id. */
  duplicates: number;
}

export interface ProcessResult {
  rows: StoredEvent[];
  badRows: BadRow[];
  duplicates: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Decode, parse and validate each record; keep the first occurrence of each event_id.
 * Knows neither Kinesis nor Lambda: the consumer and the adapters feed it plain records.
 */
export function processRecords(records: readonly InputRecord[], now: () => Date = () => new Date()): ProcessResult {
  const { accepted, badRows, duplicates } = classifyRecords(records, now);
  return { rows: accepted.map((row) => row.event), badRows, duplicates };
}

/** Same as processRecords, keeping each row's sequence number. */
export function classifyRecords(records: readonly InputRecord[], now: () => Date = () => new Date()): ClassifiedRecords {
  const accepted: AcceptedRow[] = [];
  const badRows: BadRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const record of records) {
    const outcome = processOne(record);
    if (!outcome.ok) {
      badRows.push(toBadRow(record, outcome.errorType, outcome.reason, now()));
    } else if (seen.has(outcome.event.event_id)) {
      duplicates += 1;
    } else {
      seen.add(outcome.event.event_id);
      accepted.push({ event: outcome.event, sequenceNumber: record.sequenceNumber });
    }
  }
  return { accepted, badRows, duplicates };
}

type Outcome = { ok: true; event: StoredEvent } | { ok: false; errorType: BadRowErrorType; reason: string };

function processOne(record: InputRecord): Outcome {
  let text: string;
  try {
    text = utf8.decode(record.data);
  } catch (error) {
    return { ok: false, errorType: 'decode', reason: `not valid UTF-8: ${message(error)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errorType: 'parse', reason: `not valid JSON: ${message(error)}` };
  }
  const result = validateStoredEvent(value);
  if (!result.ok) {
    return { ok: false, errorType: 'validation', reason: result.issues.map(formatIssue).join('\n') };
  }
  return { ok: true, event: result.value };
}

function toBadRow(record: InputRecord, errorType: BadRowErrorType, reason: string, failedAt: Date): BadRow {
  return {
    error_type: errorType,
    reason,
    sequence_number: record.sequenceNumber,
    partition_key: record.partitionKey,
    ...truncatePayload(lenientUtf8.decode(record.data)),
    arrived_at: record.arrivalTime ? record.arrivalTime.toISOString() : null,
    failed_at: failedAt.toISOString(),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
