import { CURRENT_VERSIONS, formatIssue, upcast, validateStoredEvent, type StoredEvent, type VersionPolicy } from '@eventline/schemas';
import { truncatePayload, type BadRow, type BadRowErrorType } from './bad-row';
import { deaggregate, isAggregated } from './kpl';
import { toLakeRow, type LakeRow } from './lake-row';
import { applyPii, NO_PII_POLICY, type PiiPolicy } from './pii';
import { parseUserAgent } from './user-agent';

/** One record as any source delivers it: Kinesis GetRecords, a Lambda event, a test. */
export interface InputRecord {
  data: Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  arrivalTime?: Date;
}

/** An accepted event and the record it came from (delivery names files by sequence number). */
export interface AcceptedRow {
  row: LakeRow;
  sequenceNumber: string;
}

export interface ClassifiedRecords {
  accepted: AcceptedRow[];
  badRows: BadRow[];
  /** Records dropped because an earlier record in the same batch had the same event_id. */
  duplicates: number;
}

export interface ProcessResult {
  rows: LakeRow[];
  badRows: BadRow[];
  duplicates: number;
}

export interface ProcessOptions {
  /** Current version and upcasters; default: this build's schemas. */
  versions?: VersionPolicy;
  pii?: PiiPolicy;
  /** Clock for `failed_at` of bad rows. */
  now?: () => Date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Decode (also KPL aggregates), parse, upcast, validate, enrich, apply the PII policy and
 * flatten each record; keep the first occurrence of each event_id. Knows neither Kinesis nor
 * Lambda: the consumer and the adapters feed it plain records.
 */
export function processRecords(records: readonly InputRecord[], options: ProcessOptions = {}): ProcessResult {
  const { accepted, badRows, duplicates } = classifyRecords(records, options);
  return { rows: accepted.map((a) => a.row), badRows, duplicates };
}

/** Same as processRecords, keeping each row's sequence number. */
export function classifyRecords(records: readonly InputRecord[], options: ProcessOptions = {}): ClassifiedRecords {
  const now = options.now ?? (() => new Date());
  const accepted: AcceptedRow[] = [];
  const badRows: BadRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const record of expand(records, badRows, now)) {
    const outcome = processOne(record, options);
    if (!outcome.ok) {
      badRows.push(toBadRow(record, outcome.errorType, outcome.reason, now()));
    } else if (seen.has(outcome.row.event_id)) {
      duplicates += 1;
    } else {
      seen.add(outcome.row.event_id);
      accepted.push({ row: outcome.row, sequenceNumber: record.sequenceNumber });
    }
  }
  return { accepted, badRows, duplicates };
}

/** KPL aggregates become their user records (same sequence number, their own partition keys). */
function expand(records: readonly InputRecord[], badRows: BadRow[], now: () => Date): readonly InputRecord[] {
  if (!records.some((record) => isAggregated(record.data))) return records;
  const out: InputRecord[] = [];
  for (const record of records) {
    if (!isAggregated(record.data)) {
      out.push(record);
      continue;
    }
    let subRecords;
    try {
      subRecords = deaggregate(record.data);
    } catch (error) {
      badRows.push(toBadRow(record, 'decode', message(error), now()));
      continue;
    }
    for (const sub of subRecords) out.push({ ...record, partitionKey: sub.partitionKey, data: sub.data });
  }
  return out;
}

type Outcome = { ok: true; row: LakeRow } | { ok: false; errorType: BadRowErrorType; reason: string };

function processOne(record: InputRecord, options: ProcessOptions): Outcome {
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
  const upcasted = upcast(value, options.versions ?? CURRENT_VERSIONS);
  if (!upcasted.ok) return { ok: false, errorType: 'validation', reason: upcasted.issues.map(formatIssue).join('\n') };
  const result = validateStoredEvent(upcasted.value);
  if (!result.ok) return { ok: false, errorType: 'validation', reason: result.issues.map(formatIssue).join('\n') };
  return { ok: true, row: enrich(result.value, options.pii ?? NO_PII_POLICY) };
}

/** User agent first (the policy may drop it), then the PII policy, then flatten. */
function enrich(event: StoredEvent, pii: PiiPolicy): LakeRow {
  const ua = parseUserAgent(event.context.user_agent);
  return toLakeRow(applyPii(event, pii), ua);
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
