/** One event of a flush: its dedupe key (`dedupeKey`: app_id and event_id) and the record that carries it. */
export interface SeenCandidate {
  key: string;
  sequenceNumber: string;
}

/**
 * Which events (app_id and event_id, as one key) an earlier flush already delivered, across shards
 * and restarts; "id" below is that key, never the event_id alone. An id belongs
 * to the (shard, sequence number) that claimed it first; a replay of that same record is not a
 * duplicate, so a flush re-run after a crash keeps exactly the rows it kept the first time.
 */
export interface SeenIndex {
  /**
   * Claim the events of one flush (one entry per key, shard order). Returns the ids that
   * belong to another record: duplicates to leave out. New claims are durable on return.
   */
  claim(shardId: string, events: readonly SeenCandidate[]): Promise<Set<string>>;
  /**
   * Forget the claims these records hold (claims of the same ids by other records stay), after
   * their delivery failed: if the batch is then never retried (a Lambda whose retries ran out), a
   * later resend of its events is delivered instead of left out — a possible duplicate, not a loss.
   * Only where a batch can be given up (the Lambda entries); the local consumer retries forever.
   */
  release?(shardId: string, events: readonly SeenCandidate[]): Promise<void>;
  /** Ids currently remembered; undefined where that cannot be known cheaply (DynamoDB). */
  size(): number | undefined;
  close(): Promise<void>;
}

/** How long a claim counts by default: 7 days, as the SDK resends nothing older. */
export const DEFAULT_SEEN_WINDOW_MS = 7 * 24 * 3600 * 1000;
