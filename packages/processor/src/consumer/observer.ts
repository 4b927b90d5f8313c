/** What a consumer did, reported as it happens: the stats, the Prometheus metrics and the readiness check listen. */
export interface ConsumerObserver {
  /** A GetRecords call answered (`count` may be 0); `millisBehindLatest` when Kinesis said. */
  recordsRead(shardId: string, count: number, millisBehindLatest: number | undefined): void;
  /** A flush is durable and checkpointed. */
  flushed(shardId: string, flush: FlushReport): void;
  /** Records a shard holds in memory, not yet delivered. */
  buffered(shardId: string, records: number): void;
  /** A call failed (it is logged and retried). `shardId` is undefined for stream-wide calls. */
  failed(shardId: string | undefined, operation: ConsumerOperation): void;
  /** A closed shard is read to its end and delivered: it will not be read again. */
  shardEnded(shardId: string): void;
  /** A checkpointed pending range was gone when re-read (trimmed by the stream's retention): its records were never delivered. */
  pendingRangeExpired(shardId: string): void;
}

/** Every call that can fail; a closed set, so it can be a metric label. */
export const CONSUMER_OPERATIONS = ['list_shards', 'get_shard_iterator', 'get_records', 'seen_index', 'deliver', 'checkpoint'] as const;
export type ConsumerOperation = (typeof CONSUMER_OPERATIONS)[number];

export interface FlushReport {
  rowsDelivered: number;
  /** Bad rows by `error_type`. */
  badRows: ReadonlyMap<string, number>;
  /** Repeated (app_id, event_id) keys within the flush. */
  duplicates: number;
  /** Event ids an earlier flush delivered (the seen index). */
  alreadyDelivered: number;
  files: readonly { format: 'ndjson' | 'parquet'; bytes: number }[];
  durationSeconds: number;
  /** When the checkpoint after the flush was saved (ms since epoch). */
  checkpointedAt: number;
}

/** One observer that tells several. */
export function fanOut(...observers: (ConsumerObserver | undefined)[]): ConsumerObserver {
  const all = observers.filter((o): o is ConsumerObserver => o !== undefined);
  if (all.length === 1 && all[0]) return all[0];
  return {
    recordsRead: (...args) => all.forEach((o) => o.recordsRead(...args)),
    flushed: (...args) => all.forEach((o) => o.flushed(...args)),
    buffered: (...args) => all.forEach((o) => o.buffered(...args)),
    failed: (...args) => all.forEach((o) => o.failed(...args)),
    shardEnded: (...args) => all.forEach((o) => o.shardEnded(...args)),
    pendingRangeExpired: (...args) => all.forEach((o) => o.pendingRangeExpired(...args)),
  };
}
