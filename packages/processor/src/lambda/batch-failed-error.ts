/** One shard of a Lambda batch whose delivery failed: where Lambda must resume, and why. */
export interface ShardFailure {
  shardId: string;
  firstSequenceNumber: string;
  error: unknown;
}

/**
 * The delivery of a Kinesis ESM batch failed, for one of its shards or more (AWS sends one shard
 * per batch). Thrown, not answered as a partial batch response: without ReportBatchItemFailures Lambda ignores `batchItemFailures` and checkpoints past
 * records never written, and even with it the invocation counts as a success (Errors stays 0). A
 * thrown error makes Lambda retry the batch whatever the mapping's settings, and shows in the metrics.
 */
export class KinesisBatchFailedError extends Error {
  readonly shardId: string;
  readonly firstSequenceNumber: string;

  constructor(readonly failures: readonly [ShardFailure, ...ShardFailure[]]) {
    const [first] = failures;
    const where = failures.map((f) => `shard ${f.shardId} from sequence number ${f.firstSequenceNumber}`).join(', ');
    const cause = failures.length === 1 ? first.error : new AggregateError(failures.map((f) => f.error), `${failures.length} shards failed`);
    super(`delivery of the batch failed (${where}): ${messageOf(cause)}; Lambda retries it from there`, { cause });
    this.name = 'KinesisBatchFailedError';
    this.shardId = first.shardId;
    this.firstSequenceNumber = first.firstSequenceNumber;
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
