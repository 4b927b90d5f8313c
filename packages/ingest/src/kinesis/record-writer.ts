/** One Kinesis record to write. */
export interface OutRecord {
  data: Uint8Array;
  partitionKey: string;
}

/** What happened to each record, by its index in the input. */
export interface WriteOutcome {
  /** Indexes of records that Kinesis did not take within the time budget. */
  failed: number[];
  /** Why the last attempt failed, for logs and metrics. */
  lastError?: string;
  /** When the writer refused at once (circuit open, backpressure): how long the client should wait. */
  retryAfterMs?: number;
}

/** The seam between the app and the queue: Kinesis in production, in-process for benchmarks. */
export interface RecordWriter {
  put(stream: string, records: OutRecord[]): Promise<WriteOutcome>;
  /** Cheap reachability check for /readyz. */
  ping(stream: string): Promise<void>;
  /** Not ok while the circuit is open (its cool-down; half-open is ok); /readyz reports not ready then. */
  health?(): { ok: boolean; reason?: string };
  /** Write out what is queued, then stop; for graceful shutdown. */
  close?(): Promise<void>;
  stats?(): WriterStats;
}

/** Counters and gauges the writer exposes for /metrics. */
export interface WriterStats {
  bytesInFlight: number;
  recordsQueued: number;
  circuitOpen: boolean;
  calls: number;
  recordsWritten: number;
  entryFailures: number;
  refused: number;
}
