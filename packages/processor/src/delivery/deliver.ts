import { classifyIngestBadRows } from '../core/ingest-bad-row';
import { classifyRecords, type InputRecord, type ProcessOptions } from '../core/process';
import { encodeNdjsonGzip } from './ndjson';
import { objectName, type FileExtension } from './naming';
import { encodeParquet } from './parquet';
import { badRowPrefix, eventPrefix } from './partition';
import type { Prefix } from './prefix';
import type { RowSink, Sink } from './sink';
import type { LakeRow } from '../core/lake-row';

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

interface FileGroup {
  prefix: string;
  values: unknown[];
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
  const { accepted, badRows, duplicates } =
    options.input === 'ingest-bad-rows' ? classifyIngestBadRows(records, options.now) : classifyRecords(records, options);
  const eventExt: FileExtension = options.format === 'parquet' ? '.parquet' : '.ndjson.gz';
  const groups = new Map<string, FileGroup>();
  for (const a of accepted) addTo(groups, eventPrefix(a.row, options.eventPrefix), a.row, a.sequenceNumber, eventExt);
  for (const bad of badRows) addTo(groups, badRowPrefix(bad, options.errorPrefix), bad, bad.sequence_number, '.ndjson.gz');

  const files = [...groups.values()].map((g) => ({ key: g.prefix + objectName(shardId, g.firstSeq, g.lastSeq, g.extension), group: g }));
  const level = options.gzipLevel ?? 6;
  // Settle every write before reporting: a retry must not race a write still in flight.
  const outcomes = await Promise.allSettled(files.map(({ key, group }) => sink.write(key, encode(group, level))));
  throwFailures(outcomes, files.length);
  if (options.rowSink && accepted.length > 0) await options.rowSink.writeRows(accepted.map((a) => a.row));
  const objectKeys = files.map((f) => f.key);
  return { rowsDelivered: accepted.length, badRows: badRows.length, duplicates, filesWritten: objectKeys.length, objectKeys };
}

function encode(group: FileGroup, gzipLevel: number): Uint8Array {
  return group.extension === '.parquet' ? encodeParquet(group.values as LakeRow[]) : encodeNdjsonGzip(group.values, gzipLevel);
}

function throwFailures(outcomes: PromiseSettledResult<void>[], total: number): void {
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, `${failed.length} of ${total} files failed to write`);
}

/** Records arrive in shard order, so the first and last added are the file's range. */
function addTo(groups: Map<string, FileGroup>, prefix: string, value: unknown, seq: string, extension: FileExtension): void {
  const key = prefix + extension;
  const group = groups.get(key);
  if (group) {
    group.values.push(value);
    group.lastSeq = seq;
  } else {
    groups.set(key, { prefix, values: [value], firstSeq: seq, lastSeq: seq, extension });
  }
}
