export {
  processRecords,
  classifyRecords,
  type InputRecord,
  type ProcessResult,
  type ProcessOptions,
  type AcceptedRow,
  type ClassifiedRecords,
} from './core/process';
export { type BadRow, type BadRowErrorType, PAYLOAD_MAX_CHARS } from './core/bad-row';
export { type LakeRow, toLakeRow } from './core/lake-row';
export { parseUserAgent, type UserAgentFields } from './core/user-agent';
export { applyPii, checkPiiPolicy, piiNearMisses, NO_PII_POLICY, PiiPolicyError, type PiiPolicy } from './core/pii';
export { deaggregate, isAggregated, KplFormatError, type SubRecord } from './core/kpl';
export { eventPrefix, badRowPrefix, eventContext, badRowContext } from './delivery/partition';
export { compilePrefix, DEFAULT_EVENT_PREFIX, DEFAULT_ERROR_PREFIX, PrefixExpressionError, PartitionValueError, type Prefix, type PrefixContext } from './delivery/prefix';
export { objectName, type FileExtension } from './delivery/naming';
export { encodeNdjsonGzip, decodeNdjsonGzip } from './delivery/ndjson';
export { encodeParquet } from './delivery/parquet';
export { type Sink, type RowSink } from './delivery/sink';
export { createFolderSink } from './delivery/folder-sink';
export { writeFileAtomic } from './delivery/atomic-write';
export { deliverRecords, deliverPrepared, prepareRecords, type PreparedRecord, type DeliveryResult, type DeliveryOptions, type EventFormat } from './delivery/deliver';
export { startConsumer, CONSUMER_DEFAULTS, type Consumer, type ConsumerConfig, type StopOptions } from './consumer/consumer';
export { type ConsumerStats } from './consumer/stats';
export { CONSUMER_OPERATIONS, type ConsumerObserver, type ConsumerOperation, type FlushReport } from './consumer/observer';
export { dedupeKey } from './core/dedupe-key';
export { type SeenIndex, type SeenCandidate } from './dedupe/seen-index';
export { openSeenIndex, SEEN_INDEX_DEFAULTS, type SeenIndexOptions } from './dedupe/seen-index-leveldb';
export { openDynamoSeenIndex, DedupeTableMissingError, type DynamoSeenIndexOptions } from './dedupe/seen-index-dynamodb';
export { UnprocessedItemsError, type UnprocessedRetry } from './dedupe/dynamodb-batches';
export { dynamoClientConfig, type DynamoConnection } from './dedupe/dynamodb-client';
export { listShards, type ShardInfo } from './consumer/list-shards';
export { createFileCheckpointStore, type CheckpointStore, type ShardCheckpoint } from './consumer/checkpoint-store';
export { kinesisClientConfig, type KinesisConnection } from './consumer/kinesis-client';
export { openLake, openReadOnlyLake, runQuery, type Lake, type ReadOnlyLake, type Row, type Plain } from './query/lake';
export { QueryRefusedError, DEFAULT_GUARD_LIMITS, type GuardLimits, type GuardedResult } from './query/guard';
export { type Logger, type LogLevel } from './log';
export { createKinesisEsmHandler, type KinesisEsmHandler, type KinesisEsmHandlerOptions } from './lambda/kinesis-esm';
export { KinesisBatchFailedError, type ShardFailure } from './lambda/batch-failed-error';
export { UnsupportedEventError } from './lambda/event-shape';
export { createFirehoseTransformHandler, type FirehoseTransformHandler, type FirehoseTransformOptions } from './lambda/firehose-transform';
export type * from './lambda/aws-events';
export { createS3Sink, type S3SinkOptions } from './sinks/s3-sink';
export { s3ClientConfig, type S3Connection } from './sinks/s3-client';
export { createPostgresSink, type PostgresSink, type PostgresSinkOptions } from './sinks/postgres-sink';
export { PostgresConfigError, PostgresTableBusyError, PG_LOCK_TIMEOUT_MS } from './sinks/postgres-schema';
export { PostgresTableRefusalError } from './sinks/postgres-row-errors';
export { LAKE_FORMAT_MARKER, LakeFormatConflictError } from './delivery/lake-format-marker';
export { type LockRetry } from './sinks/postgres-lock-retry';
export { PG_MAX_STATEMENT_BYTES } from './sinks/postgres-statements';
