/** Counters since the consumer started (not persisted). */
export interface ConsumerStats {
  recordsRead: number;
  rowsDelivered: number;
  badRows: number;
  /** Records dropped because their event_id repeated within one flush. */
  duplicates: number;
  filesWritten: number;
  /** GetRecords / GetShardIterator / write failures that were logged and retried. */
  errors: number;
}

export function emptyStats(): ConsumerStats {
  return { recordsRead: 0, rowsDelivered: 0, badRows: 0, duplicates: 0, filesWritten: 0, errors: 0 };
}
