export { createApp, type AppDeps, type AppOptions, type IngestApp } from './app';
export { loadConfig, ConfigError, DEFAULTS, type IngestConfig } from './config';
export { createKinesisWriter, type KinesisWriterOptions } from './kinesis/kinesis-writer';
export { createKinesisClient } from './kinesis/client';
export { packCalls, PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_COUNT, RECORD_MAX_BYTES } from './kinesis/packer';
export type { RecordWriter, OutRecord, WriteOutcome } from './kinesis/record-writer';
export { parseWriteKeys, hashWriteKey, type WriteKeyEntry } from './write-keys';
export type { BatchResponse, EventStatus } from './routes/batch';
export { createMemoryWriter } from './kinesis/memory-writer';
