import type { BadRow } from '../core/bad-row';
import { classifyIngestBadRows } from '../core/ingest-bad-row';
import type { LakeRow } from '../core/lake-row';
import { classifyEach, type ClassifiedRecord, type InputRecord, type ProcessOptions } from '../core/process';
import { gzipNdjson } from './ndjson';
import { objectName, type FileExtension } from './naming';
import { encodeParquet } from './parquet';
import { badRowPrefix, eventPrefix } from './partition';
import type { Prefix } from './prefix';
import type { RowSink, Sink } from './sink';

export type EventFormat = 'ndjson' | 'parquet';

export interface DeliveryOptions extends ProcessOptions {
  /** Event files: NDJSON.gz (default) or Parquet. Bad rows are always NDJSON.gz. */
  format?: EventFormat;
  /** gzip level of NDJSON.gz files, 1 (fastest) to 9; default 6. */
  gzipLevel?: number;
  eventPrefix?: Prefix;
  errorPrefix?: Prefix;
  /** Also write accepted rows here (PostgreSQL), after the files. */
  rowSink?: RowSink;
  /** `ingest-bad-rows`: the records are the ingest's rejections (stream `events-bad`), delivered as bad rows. */
  input?: 'events' | 'ingest-bad-rows';
}

export interface DeliveryResult {
  rowsDelivered: number;
  badRows: number;
  duplicates: number;
  filesWritten: number;
  objectKeys: string[];
}

/** A processed record and the file it belongs to: `partition` is its folder plus the file extension. */
export type PreparedRecord = ClassifiedRecord & { prefix: string; extension: FileExtension; partition: string };

interface FileGroup {
  prefix: string;
  values: (LakeRow | BadRow)[];
  firstSeq: string;
  lastSeq: string;
  extension: FileExtension;
}

/**
 * Process one shard's records (in shard order) and write one file per partition folder, then
 * the rows to the row sink if any. Resolves once every file and row is durable.
 */
export async function deliverRecords(
  shardId: string,
  records: readonly InputRecord[],
  sink: Sink,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  return deliverPrepared(shardId, prepareRecords(records, options), sink, options);
}

/** Process records and name the partition of each (no dedupe yet: that belongs to the flush). */
export function prepareRecords(records: readonly InputRecord[], options: DeliveryOptions = {}): PreparedRecord[] {
  const classified = options.input === 'ingest-bad-rows' ? classifyIngestBadRows(records, options.now) : classifyEach(records, options);
  const eventExt: FileExtension = options.format === 'parquet' ? '.parquet' : '.ndjson.gz';
  const partitions = new Map<string, string>(); // one partition string per folder, not one per record
  const out: PreparedRecord[] = [];
  for (const item of classified) {
    const extension = item.row !== undefined ? eventExt : '.ndjson.gz';
    const prefix = item.row !== undefined ? eventPrefix(item.row, options.eventPrefix) : badRowPrefix(item.badRow, options.errorPrefix);
    const memoKey = extension === '.parquet' ? `P${prefix}` : prefix;
    let partition = partitions.get(memoKey);
    if (partition === undefined) partitions.set(memoKey, (partition = prefix + extension));
    const p = item as PreparedRecord;
    p.prefix = prefix;
    p.extension = extension;
    p.partition = partition;
    out.push(p);
  }
  return out;
}

/**
 * Write prepared records (one flush's range, in shard order): the first row of each event_id
 * wins, one file per partition named by its first and last sequence number.
 */
export async function deliverPrepared(
  shardId: string,
  prepared: readonly PreparedRecord[],
  sink: Sink,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const groups = new Map<string, FileGroup>();
  const rows: LakeRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let badRows = 0;
  for (const item of prepared) {
    if (item.row === undefined) {
      badRows += 1;
      addTo(groups, item, item.badRow);
    } else if (seen.has(item.row.event_id)) {
      duplicates += 1;
    } else {
      seen.add(item.row.event_id);
      rows.push(item.row);
      addTo(groups, item, item.row);
    }
  }
  const files = [...groups.values()].map((g) => ({ key: g.prefix + objectName(shardId, g.firstSeq, g.lastSeq, g.extension), group: g }));
  const level = options.gzipLevel ?? 6;
  // Settle every write before reporting: a retry must not race a write still in flight.
  const outcomes = await Promise.allSettled(files.map(async ({ key, group }) => sink.write(key, await encode(group, level))));
  throwFailures(outcomes, files.length);
  if (options.rowSink && rows.length > 0) await options.rowSink.writeRows(rows);
  const objectKeys = files.map((f) => f.key);
  return { rowsDelivered: rows.length, badRows, duplicates, filesWritten: objectKeys.length, objectKeys };
}

function encode(group: FileGroup, gzipLevel: number): Promise<Uint8Array> {
  return group.extension === '.parquet' ? Promise.resolve(encodeParquet(group.values as LakeRow[])) : gzipNdjson(group.values, gzipLevel);
}

function throwFailures(outcomes: PromiseSettledResult<void>[], total: number): void {
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, `${failed.length} of ${total} files failed to write`);
}

/** Records arrive in shard order, so the first and last added are the file's range. */
function addTo(groups: Map<string, FileGroup>, item: PreparedRecord, value: LakeRow | BadRow): void {
  const group = groups.get(item.partition);
  if (group) {
    group.values.push(value);
    group.lastSeq = item.sequenceNumber;
  } else {
    groups.set(item.partition, { prefix: item.prefix, values: [value], firstSeq: item.sequenceNumber, lastSeq: item.sequenceNumber, extension: item.extension });
  }
}
