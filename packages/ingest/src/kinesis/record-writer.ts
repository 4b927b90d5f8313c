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
}

/** The seam between the app and the queue: Kinesis in production, in-process for benchmarks. */
export interface RecordWriter {
  put(stream: string, records: OutRecord[]): Promise<WriteOutcome>;
  /** Cheap reachability check for /readyz. */
  ping(stream: string): Promise<void>;
}
