import type { ConsumerObserver } from './observer';

/** Counters since the consumer started (not persisted). */
export interface ConsumerStats {
  recordsRead: number;
  rowsDelivered: number;
  badRows: number;
  /** Records dropped because their (app_id, event_id) repeated within one flush. */
  duplicates: number;
  /** Records left out because an earlier flush (any shard, any run) delivered their (app_id, event_id). */
  alreadyDelivered: number;
  filesWritten: number;
  /** Event ids in the cross-flush dedupe index (absent when it is off). */
  seenIds?: number;
  /** Checkpointed pending ranges whose records the stream's retention trimmed before they were delivered (logged). */
  pendingRangesExpired: number;
  /** Failed calls, logged and retried: every CONSUMER_OPERATIONS entry (shard re-list, iterator, read, seen-index claim, delivery, checkpoint). */
  errors: number;
}

export function emptyStats(): ConsumerStats {
  return { recordsRead: 0, rowsDelivered: 0, badRows: 0, duplicates: 0, alreadyDelivered: 0, filesWritten: 0, pendingRangesExpired: 0, errors: 0 };
}

/** The observer that keeps `stats` up to date. */
export function statsObserver(stats: ConsumerStats): ConsumerObserver {
  return {
    recordsRead(_shardId, count) {
      stats.recordsRead += count;
    },
    flushed(_shardId, flush) {
      stats.rowsDelivered += flush.rowsDelivered;
      for (const count of flush.badRows.values()) stats.badRows += count;
      stats.duplicates += flush.duplicates;
      stats.alreadyDelivered += flush.alreadyDelivered;
      stats.filesWritten += flush.files.length;
    },
    buffered() {},
    failed() {
      stats.errors += 1;
    },
    shardEnded() {},
    pendingRangeExpired() {
      stats.pendingRangesExpired += 1;
    },
  };
}
