import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CONSUMER_OPERATIONS, type ConsumerObserver } from '../consumer/observer';
import { BAD_ROW_TYPE_LABELS, badRowTypeLabel, DUPLICATE_SCOPE_LABELS, FILE_FORMAT_LABELS } from './labels';

export interface ProcessorMetrics {
  registry: Registry;
  /** The observer to give the consumer of `stream`. */
  observerFor(stream: string): ConsumerObserver;
  /** Read the size of a stream's seen index at each scrape (`undefined`: no index). */
  watchSeenIds(stream: string, read: () => number | undefined): void;
  /** Count rows PostgreSQL's ON CONFLICT DO NOTHING skipped (committed writes). */
  postgresRowsSkipped(count: number): void;
}

/**
 * Prometheus metrics in a registry of the processor's own (not prom-client's global one), with
 * the Node process metrics. Labels: `stream` (one or two configured names), `shard` (bounded by
 * the stream's shards; a finished shard's series are removed) and closed sets, never record data.
 */
export function createProcessorMetrics(options: { defaultMetrics?: boolean } = {}): ProcessorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Every counter and gauge in this registry alone, its label names typed (a wrong label fails the build).
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> => new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> => new Gauge({ name, help, labelNames, registers });
  const recordsRead = counter('eventline_processor_records_read_total', 'Kinesis records read (GetRecords)', ['stream']);
  const rowsDelivered = counter('eventline_processor_rows_delivered_total', 'Event rows written durably and checkpointed', ['stream']);
  const badRows = counter('eventline_processor_bad_rows_total', 'Bad rows written, by error type', ['stream', 'error_type']);
  const duplicates = counter(
    'eventline_processor_duplicates_total',
    'Records left out for a repeated (app_id, event_id): within one flush, or delivered by an earlier flush (seen index)',
    ['stream', 'scope'],
  );
  const postgresSkipped = counter(
    'eventline_processor_postgres_rows_skipped_total',
    'Rows PostgreSQL skipped as already in the table (ON CONFLICT DO NOTHING on app_id, event_id): replays, or copies stored before',
  );
  const filesWritten = counter('eventline_processor_files_written_total', 'Lake files written, by format', ['stream', 'format']);
  const bytesWritten = counter('eventline_processor_bytes_written_total', 'Bytes of lake files written (compressed)', ['stream']);
  const errors = counter('eventline_processor_errors_total', 'Failed calls (logged and retried), by operation', ['stream', 'operation']);
  const pendingExpired = counter(
    'eventline_processor_pending_ranges_expired_total',
    "Checkpointed pending ranges (announced flushes) whose records the stream's retention trimmed before they were delivered",
    ['stream'],
  );
  const flushDuration = new Histogram({
    name: 'eventline_processor_flush_duration_seconds',
    help: 'One flush: seen index, files, rows, checkpoint',
    labelNames: ['stream'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const behind = gauge('eventline_processor_behind_latest_seconds', "GetRecords' MillisBehindLatest of each open shard, in seconds", ['stream', 'shard']);
  const lastCheckpoint = gauge('eventline_processor_last_checkpoint_timestamp_seconds', 'When each shard last checkpointed after a flush (Unix seconds)', ['stream', 'shard']);
  const bufferedByStream = new Map<string, Map<string, number>>();
  new Gauge({
    name: 'eventline_processor_buffered_records',
    help: 'Records read and held in memory, not yet delivered',
    labelNames: ['stream'],
    registers,
    collect() {
      for (const [stream, shards] of bufferedByStream) this.set({ stream }, sum(shards.values()));
    },
  });
  const seenIdReaders = new Map<string, () => number | undefined>();
  new Gauge({
    name: 'eventline_processor_seen_ids',
    help: 'Event ids in the cross-flush dedupe index',
    labelNames: ['stream'],
    registers,
    collect() {
      for (const [stream, read] of seenIdReaders) {
        const size = read();
        if (size !== undefined) this.set({ stream }, size);
      }
    },
  });

  const observerFor = (stream: string): ConsumerObserver => {
    // Children bound once per stream; every closed-set series starts at 0, so rate() and alerts see it from the first scrape.
    const read = recordsRead.labels({ stream });
    const delivered = rowsDelivered.labels({ stream });
    const bytes = bytesWritten.labels({ stream });
    const duration = flushDuration.labels({ stream });
    read.inc(0);
    delivered.inc(0);
    pendingExpired.labels({ stream }).inc(0);
    bytes.inc(0);
    for (const scope of DUPLICATE_SCOPE_LABELS) duplicates.labels({ stream, scope }).inc(0);
    for (const format of FILE_FORMAT_LABELS) filesWritten.labels({ stream, format }).inc(0);
    for (const operation of CONSUMER_OPERATIONS) errors.labels({ stream, operation }).inc(0);
    for (const error_type of BAD_ROW_TYPE_LABELS) badRows.labels({ stream, error_type }).inc(0);
    const buffered = new Map<string, number>();
    bufferedByStream.set(stream, buffered);
    return {
      recordsRead(shard, count, millisBehindLatest) {
        read.inc(count);
        if (millisBehindLatest !== undefined) behind.set({ stream, shard }, millisBehindLatest / 1000);
      },
      flushed(shard, flush) {
        delivered.inc(flush.rowsDelivered);
        for (const [type, count] of flush.badRows) badRows.inc({ stream, error_type: badRowTypeLabel(type) }, count);
        duplicates.inc({ stream, scope: 'flush' }, flush.duplicates);
        duplicates.inc({ stream, scope: 'seen_index' }, flush.alreadyDelivered);
        for (const file of flush.files) {
          filesWritten.inc({ stream, format: file.format });
          bytes.inc(file.bytes);
        }
        duration.observe(flush.durationSeconds);
        lastCheckpoint.set({ stream, shard }, flush.checkpointedAt / 1000);
      },
      buffered(shard, records) {
        buffered.set(shard, records);
      },
      failed(_shard, operation) {
        errors.inc({ stream, operation });
      },
      pendingRangeExpired() {
        pendingExpired.inc({ stream });
      },
      shardEnded(shard) {
        // A finished shard is never read again: its series would only go stale (and fire alerts).
        behind.remove({ stream, shard });
        lastCheckpoint.remove({ stream, shard });
        buffered.delete(shard);
      },
    };
  };

  return {
    registry,
    observerFor,
    watchSeenIds(stream, read) {
      seenIdReaders.set(stream, read);
    },
    postgresRowsSkipped(count) {
      postgresSkipped.inc(count);
    },
  };
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
