export { startKinesis, parseEngine, KINESIS_ENGINES, DEFAULT_ENGINE, type KinesisEngine, type KinesisEmulator, type StartKinesisOptions } from './kinesis-emulator';
export { ensureStreams, type StreamSpec } from './streams';
export { kinesisClientConfig } from './kinesis-client-config';
export { freePort } from './free-port';
export { isAlive, stopChild, waitFor } from './process-control';
export { startS3, s3ClientConfig, type S3Emulator, type StartS3Options } from './s3-emulator';
export { startPostgres, type PostgresServer, type StartPostgresOptions } from './postgres';
export { startKinesisFaultProxy, type KinesisFaultProxy, type FaultPlan, type EntryFault } from './kinesis-fault-proxy';
