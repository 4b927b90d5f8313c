import { CURRENT_VERSIONS, findUnstorableText, formatIssue, mayHoldUnstorableText, upcast, validateStoredEvent, type StoredEvent, type VersionPolicy } from '@eventline/schemas';
import { truncatePayload, type BadRow, type BadRowErrorType } from './bad-row';
import { firstSeen } from './dedupe-key';
import { deaggregate, isAggregated } from './kpl';
import { toLakeRow, type LakeRow } from './lake-row';
import { applyPii, NO_PII_POLICY, type PiiPolicy } from './pii';
import { parseUserAgent } from './user-agent';
import { MAX_RECORD_DEPTH, nestsDeeperThan } from './nesting';

/** One record as any source delivers it: Kinesis GetRecords, a Lambda event, a test. */
export interface InputRecord {
  data: Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  /** A valid time, or none (an Invalid Date throws from the bad row's toISOString: sources check, see arrivalTimeOf). */
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
  /** Records dropped because an earlier record in the same batch had the same app_id and event_id. */
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
 * flatten each record; keep the first occurrence of each (app_id, event_id). Knows neither Kinesis nor
 * Lambda: the consumer and the adapters feed it plain records.
 */
export function processRecords(records: readonly InputRecord[], options: ProcessOptions = {}): ProcessResult {
  const { accepted, badRows, duplicates } = classifyRecords(records, options);
  return { rows: accepted.map((a) => a.row), badRows, duplicates };
}

/** Same as processRecords, keeping each row's sequence number. */
export function classifyRecords(records: readonly InputRecord[], options: ProcessOptions = {}): ClassifiedRecords {
  return dedupeClassified(classifyEach(records, options));
}

/** One processed record (a KPL user record counts as one): a row or a bad row, in shard order. */
export type ClassifiedRecord = { sequenceNumber: string; bytes: number } & ({ row: LakeRow; badRow?: undefined } | { row?: undefined; badRow: BadRow });

/** A caller's last check of an accepted row (delivery: can its partition values name a folder?); a rejection makes it a bad row. */
export type RowCheck = (row: LakeRow) => { errorType: BadRowErrorType; reason: string } | undefined;

/**
 * Every record's outcome in shard order, without dedupe: a consumer classifies records as it
 * reads them (to know their partitions) and dedupes each flush's range with dedupeClassified.
 */
export function classifyEach(records: readonly InputRecord[], options: ProcessOptions = {}, check?: RowCheck): ClassifiedRecord[] {
  const now = options.now ?? (() => new Date());
  const out: ClassifiedRecord[] = [];
  for (const record of records) {
    if (!isAggregated(record.data)) {
      out.push(classifyOne(record, options, now, check));
      continue;
    }
    let subRecords;
    try {
      subRecords = deaggregate(record.data);
    } catch (error) {
      out.push(bad(record, toBadRow(record, 'decode', message(error), now())));
      continue;
    }
    for (const sub of subRecords) out.push(classifyOne({ ...record, partitionKey: sub.partitionKey, data: sub.data }, options, now, check));
  }
  return out;
}

/** Keep the first accepted row of each (app_id, event_id) (within these records only: a flush's range). */
export function dedupeClassified(items: readonly ClassifiedRecord[]): ClassifiedRecords {
  const accepted: AcceptedRow[] = [];
  const badRows: BadRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const item of items) {
    if (item.row === undefined) {
      badRows.push(item.badRow);
    } else if (!firstSeen(seen, item.row)) {
      duplicates += 1;
    } else {
      accepted.push({ row: item.row, sequenceNumber: item.sequenceNumber });
    }
  }
  return { accepted, badRows, duplicates };
}

function classifyOne(record: InputRecord, options: ProcessOptions, now: () => Date, check: RowCheck | undefined): ClassifiedRecord {
  const outcome = processOne(record, options);
  if (!outcome.ok) return bad(record, toBadRow(record, outcome.errorType, outcome.reason, now()));
  const rejected = check?.(outcome.row);
  if (rejected) return bad(record, toBadRow(record, rejected.errorType, rejected.reason, now()));
  return { sequenceNumber: record.sequenceNumber, bytes: record.data.byteLength, row: outcome.row };
}

function bad(record: InputRecord, badRow: BadRow): ClassifiedRecord {
  return { sequenceNumber: record.sequenceNumber, bytes: record.data.byteLength, badRow };
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
  if (nestsDeeperThan(text)) {
    return { ok: false, errorType: 'validation', reason: `nests arrays/objects deeper than ${MAX_RECORD_DEPTH} levels: the lake's files and PostgreSQL cannot hold it` };
  }
  const upcasted = upcast(value, options.versions ?? CURRENT_VERSIONS);
  if (!upcasted.ok) return { ok: false, errorType: 'validation', reason: upcasted.issues.map(formatIssue).join('\n') };
  const result = validateStoredEvent(upcasted.value);
  if (!result.ok) return { ok: false, errorType: 'validation', reason: result.issues.map(formatIssue).join('\n') };
  // U+0000 or a lone surrogate would stop the PostgreSQL sink (the ingest refuses them; records written before it did may hold one).
  const unstorable = mayHoldUnstorableText(text) ? findUnstorableText(result.value) : undefined;
  if (unstorable) return { ok: false, errorType: 'validation', reason: formatIssue(unstorable) };
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
