import { truncatePayload, type BadRow } from '../core/bad-row';
import { firstSeen } from '../core/dedupe-key';
import { classifyIngestBadRows } from '../core/ingest-bad-row';
import type { LakeRow } from '../core/lake-row';
import { classifyEach, type ClassifiedRecord, type InputRecord, type ProcessOptions } from '../core/process';
import { createNdjsonGzipWriter, yieldToEventLoop, YIELD_EVERY, type NdjsonGzipWriter } from './ndjson';
import { batchObjectName, objectName, refusedRowsObjectName, type FileExtension } from './naming';
import { createParquetFileBuilder, type ParquetFileBuilder } from './parquet';
import { badRowPrefix, eventPartitions } from './partition';
import { settleEach } from './pool';
import type { Prefix } from './prefix';
import type { RefusedRow, RowSink, Sink } from './sink';

export type EventFormat = 'ndjson' | 'parquet';

/**
 * Files of one flush written at once. Each write holds an open file (folder sink) or a socket (S3)
 * plus its encoded bytes: 16 keeps a flush of any number of partitions far below the usual limit
 * of 1,024 open files even with many shards flushing together, and still overlaps enough S3
 * round trips (tens of ms each) to write 500 partitions in a few seconds.
 */
export const WRITE_CONCURRENCY = 16;

export interface DeliveryOptions extends ProcessOptions {
  /** Event files: NDJSON.gz (default) or Parquet. Bad rows are always NDJSON.gz. */
  format?: EventFormat;
  /** gzip level of NDJSON.gz files, 1 (fastest) to 9; default 6. */
  gzipLevel?: number;
  eventPrefix?: Prefix;
  errorPrefix?: Prefix;
  /** Also write accepted rows here (PostgreSQL), after the files; rows it refuses become `postgres` bad rows. */
  rowSink?: RowSink;
  /** `ingest-bad-rows`: the records are the ingest's rejections (stream `events-bad`), delivered as bad rows. */
  input?: 'events' | 'ingest-bad-rows';
}

export interface DeliveryResult {
  /** Event rows written to every store: the files and, with a row sink, PostgreSQL (a row it refuses counts as a `postgres` bad row instead). */
  rowsDelivered: number;
  badRows: number;
  /** Bad rows by `error_type`. */
  badRowTypes: Map<string, number>;
  duplicates: number;
  filesWritten: number;
  objectKeys: string[];
  /** Each file written: its format and size (same order as `objectKeys`). */
  files: WrittenFile[];
}

export interface WrittenFile {
  key: string;
  format: EventFormat;
  bytes: number;
}

/** A processed record and the file it belongs to: `partition` is its folder plus the file extension. */
export type PreparedRecord = ClassifiedRecord & { prefix: string; extension: FileExtension; partition: string };

interface FileRange {
  prefix: string;
  extension: FileExtension;
  firstSeq: string;
  lastSeq: string;
}

/** NDJSON.gz: lines go to the compressor as they come. Parquet: the writer needs the whole file at once; values are gathered column by column. */
type FileGroup = FileRange & ({ ndjson: NdjsonGzipWriter; parquet?: undefined } | { ndjson?: undefined; parquet: ParquetFileBuilder });

/**
 * Process one shard's records (in shard order) and write one file per partition folder, then
 * the rows to the row sink if any. Resolves once every file and row is durable. Records are
 * processed in slices, and NDJSON.gz compression of one slice overlaps processing the next.
 */
export async function deliverRecords(
  shardId: string,
  records: readonly InputRecord[],
  sink: Sink,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const files = collectFiles(options);
  for (let i = 0; i < records.length; i += YIELD_EVERY) {
    for (const item of prepareRecords(records.slice(i, i + YIELD_EVERY), options)) files.add(item);
    if (i + YIELD_EVERY < records.length) await yieldToEventLoop();
  }
  return writeFiles(shardId, files, sink, options);
}

/** Process records and name the partition of each (no dedupe yet: that belongs to the flush). */
export function prepareRecords(records: readonly InputRecord[], options: DeliveryOptions = {}): PreparedRecord[] {
  const events = eventPartitions(options.eventPrefix);
  const classified = options.input === 'ingest-bad-rows' ? classifyIngestBadRows(records, options.now) : classifyEach(records, options, events.check);
  const eventExt: FileExtension = options.format === 'parquet' ? '.parquet' : '.ndjson.gz';
  // One partition string per folder and extension, not one per record.
  const partitions = { '.ndjson.gz': new Map<string, string>(), '.parquet': new Map<string, string>() };
  const out: PreparedRecord[] = [];
  for (const item of classified) {
    const extension = item.row !== undefined ? eventExt : '.ndjson.gz';
    const prefix = item.row !== undefined ? events.prefixOf(item.row) : badRowPrefix(item.badRow, options.errorPrefix);
    let partition = partitions[extension].get(prefix);
    if (partition === undefined) partitions[extension].set(prefix, (partition = prefix + extension));
    // The classified objects were just made for this call: completing them avoids a copy per record.
    const p = item as PreparedRecord;
    p.prefix = prefix;
    p.extension = extension;
    p.partition = partition;
    out.push(p);
  }
  return out;
}

/**
 * Write prepared records (one flush's range, in shard order): the first row of each (app_id, event_id)
 * wins, one file per partition named by its first and last sequence number — or, with
 * `batchFirstSeq` (the Lambda ESM handler), every file after that record: Lambda retries a failed
 * batch from its first record, so the retry overwrites the failed attempt's files. It is the
 * batch's first record even when dedupe left that record out, so the name never depends on dedupe.
 */
export async function deliverPrepared(
  shardId: string,
  prepared: readonly PreparedRecord[],
  sink: Sink,
  options: DeliveryOptions = {},
  batchFirstSeq?: string,
): Promise<DeliveryResult> {
  const files = collectFiles(options);
  for (let i = 0; i < prepared.length; i += 1) {
    files.add(prepared[i] as PreparedRecord);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
  }
  return writeFiles(shardId, files, sink, options, batchFirstSeq);
}

interface Files {
  add(item: PreparedRecord): void;
  groups: Map<string, FileGroup>;
  /** Accepted rows, kept only for a row sink: otherwise a serialised row becomes garbage at once (cheap to collect). */
  rows: LakeRow[];
  /** Each kept row's sequence number (same order), for the bad row of a row the sink refuses. */
  rowSeqs: string[];
  /** The flush's first and last record, duplicates included: what names the refused rows' file. */
  firstSeq?: string;
  lastSeq?: string;
  /** Event rows written to every store: the files and, with a row sink, PostgreSQL (a row it refuses counts as a `postgres` bad row instead). */
  rowsDelivered: number;
  badRows: number;
  badRowTypes: Map<string, number>;
  duplicates: number;
}

/** Dedupe and group one flush's records into files. Records arrive in shard order, so the first and last added are a file's range. */
function collectFiles(options: DeliveryOptions): Files {
  const seen = new Set<string>();
  const level = options.gzipLevel ?? 6;
  const keepRows = options.rowSink !== undefined;
  const files: Files = {
    groups: new Map(),
    rows: [],
    rowSeqs: [],
    rowsDelivered: 0,
    badRows: 0,
    badRowTypes: new Map(),
    duplicates: 0,
    add(item) {
      files.firstSeq ??= item.sequenceNumber;
      files.lastSeq = item.sequenceNumber;
      if (item.row === undefined) {
        files.badRows += 1;
        files.badRowTypes.set(item.badRow.error_type, (files.badRowTypes.get(item.badRow.error_type) ?? 0) + 1);
      } else if (!firstSeen(seen, item.row)) {
        files.duplicates += 1;
        return;
      } else {
        files.rowsDelivered += 1;
        if (keepRows) {
          files.rows.push(item.row);
          files.rowSeqs.push(item.sequenceNumber);
        }
      }
      let group = files.groups.get(item.partition);
      if (group === undefined) {
        const encoder = item.extension === '.ndjson.gz' ? { ndjson: createNdjsonGzipWriter(level) } : { parquet: createParquetFileBuilder() };
        group = { prefix: item.prefix, extension: item.extension, firstSeq: item.sequenceNumber, lastSeq: item.sequenceNumber, ...encoder };
        files.groups.set(item.partition, group);
      }
      group.lastSeq = item.sequenceNumber;
      if (group.ndjson) group.ndjson.add(item.row ?? item.badRow);
      else if (item.row !== undefined) group.parquet.add(item.row);
    },
  };
  return files;
}

/** `batchFirstSeq`: name every file after it; else each after its own range. */
async function writeFiles(shardId: string, files: Files, sink: Sink, options: DeliveryOptions, batchFirstSeq?: string): Promise<DeliveryResult> {
  const name = (g: FileGroup): string =>
    batchFirstSeq !== undefined ? batchObjectName(shardId, batchFirstSeq, g.extension) : objectName(shardId, g.firstSeq, g.lastSeq, g.extension);
  const named = [...files.groups.values()].map((g) => ({ key: g.prefix + name(g), group: g }));
  // Settle every write before reporting: a retry must not race a write still in flight. Each file is
  // encoded just before its write, so at most WRITE_CONCURRENCY encoded files are held at once, and a
  // Parquet file's synchronous encoding blocks the event loop for one file, not for all of them.
  const outcomes = await settleEach(named, WRITE_CONCURRENCY, async ({ key, group }): Promise<WrittenFile> => {
    const bytes = await encode(group);
    await sink.write(key, bytes);
    return { key, format: group.ndjson ? 'ndjson' : 'parquet', bytes: bytes.byteLength };
  });
  const written = throwFailures(outcomes, named.length);
  if (options.rowSink && files.rows.length > 0) {
    const refused = (await options.rowSink.writeRows(files.rows)) ?? [];
    if (refused.length > 0) written.push(...(await writeRefused(shardId, files, refused, sink, options, batchFirstSeq)));
  }
  const objectKeys = written.map((f) => f.key);
  return {
    rowsDelivered: files.rowsDelivered,
    badRows: files.badRows,
    badRowTypes: files.badRowTypes,
    duplicates: files.duplicates,
    filesWritten: objectKeys.length,
    objectKeys,
    files: written,
  };
}

/**
 * Rows the row sink refused for their own values (a retry would fail the same way, and hold the
 * shard): kept as `postgres` bad rows, one NDJSON.gz file per bad-rows folder named after the flush,
 * so a replay rewrites it. The events stay in the lake's files; the bad row says which sink lacks them.
 */
async function writeRefused(shardId: string, files: Files, refused: readonly RefusedRow[], sink: Sink, options: DeliveryOptions, batchFirstSeq?: string): Promise<WrittenFile[]> {
  const seqOf = new Map(files.rows.map((row, i) => [row, files.rowSeqs[i] as string]));
  const failedAt = (options.now ?? (() => new Date()))().toISOString();
  const byPrefix = new Map<string, NdjsonGzipWriter>();
  for (const { row, reason } of refused) {
    const badRow: BadRow = {
      error_type: 'postgres',
      reason,
      sequence_number: seqOf.get(row) ?? '',
      partition_key: row.anonymous_id,
      ...truncatePayload(JSON.stringify(row)),
      // The ingest wrote it to Kinesis as it received it; and its folder's date must not move on a replay.
      arrived_at: row.received_at,
      failed_at: failedAt,
    };
    const prefix = badRowPrefix(badRow, options.errorPrefix);
    let writer = byPrefix.get(prefix);
    if (writer === undefined) byPrefix.set(prefix, (writer = createNdjsonGzipWriter(options.gzipLevel ?? 6)));
    writer.add(badRow);
    // Counted once, as a bad row: delivered means in every store (the event is in the lake's files only).
    files.rowsDelivered -= 1;
    files.badRows += 1;
    files.badRowTypes.set('postgres', (files.badRowTypes.get('postgres') ?? 0) + 1);
  }
  const name = batchFirstSeq !== undefined ? refusedRowsObjectName(shardId, batchFirstSeq) : refusedRowsObjectName(shardId, files.firstSeq ?? '0', files.lastSeq);
  const out: WrittenFile[] = [];
  for (const [prefix, writer] of byPrefix) {
    const bytes = await writer.finish();
    await sink.write(prefix + name, bytes);
    out.push({ key: prefix + name, format: 'ndjson', bytes: bytes.byteLength });
  }
  return out;
}

function encode(group: FileGroup): Promise<Uint8Array> {
  return group.ndjson ? group.ndjson.finish() : Promise.resolve(group.parquet.encode());
}

/** The values when every outcome succeeded; else throws the failure(s). */
function throwFailures<T>(outcomes: PromiseSettledResult<T>[], total: number): T[] {
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, `${failed.length} of ${total} files failed to write`);
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
