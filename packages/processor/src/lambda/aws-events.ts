/** The event shapes AWS sends (only the fields we read are required), and the responses it expects. */

/** Lambda with a Kinesis event source mapping. */
export interface KinesisStreamEvent {
  Records: KinesisStreamRecord[];
}

export interface KinesisStreamRecord {
  kinesis: {
    kinesisSchemaVersion?: string;
    partitionKey: string;
    sequenceNumber: string;
    /** Base64. */
    data: string;
    /** Seconds since the epoch, with fractions. */
    approximateArrivalTimestamp: number;
  };
  eventSource?: string;
  eventVersion?: string;
  /** `shardId-000000000006:49590338271490256608559692538361571095921575989136588898`. */
  eventID: string;
  eventName?: string;
  invokeIdentityArn?: string;
  awsRegion?: string;
  eventSourceARN: string;
}

/** ReportBatchItemFailures: Lambda checkpoints before the lowest failed sequence number. */
export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Firehose data-transformation Lambda. */
export interface FirehoseTransformationEvent {
  invocationId: string;
  deliveryStreamArn: string;
  sourceKinesisStreamArn?: string;
  region: string;
  records: FirehoseTransformationRecord[];
}

export interface FirehoseTransformationRecord {
  recordId: string;
  /** Milliseconds since the epoch. */
  approximateArrivalTimestamp: number;
  /** Base64. */
  data: string;
  kinesisRecordMetadata?: {
    shardId: string;
    partitionKey: string;
    /** AWS's own samples show an ISO string here. */
    approximateArrivalTimestamp: number | string;
    sequenceNumber: string;
    subsequenceNumber?: number | string;
  };
}

export type FirehoseResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseTransformationResponse {
  records: {
    recordId: string;
    result: FirehoseResult;
    /** Base64. */
    data: string;
    metadata?: { partitionKeys: Record<string, string> };
  }[];
}
