export { AF_EVENTS, type AfEventName, AfProperties, type EventProperties } from './af-events';
export { Batch, ServerFields, EVENT_TYPES, SCHEMA_VERSION, LIMITS, type EventType, isAppId } from './v1/event';
export { ClientEvent, StoredEvent, type ClientBatch } from './v2/event';
export { Context } from './v2/context';
export { Campaign, Consent } from './v1/context';
/** Envelope version 1, for tools that check events written before version 2 (the readers upcast them). */
export { ClientEvent as ClientEventV1, StoredEvent as StoredEventV1 } from './v1/event';
export { type Issue, type IssueCode, pointerToPath, formatIssue } from './issue';
export { validateEvent, validateStoredEvent, validateBatchShape, type Result } from './validate';
export { isUuidV7, isDateTime, UUID_V7 } from './formats';
export { parseDateTime, DATE_TIME } from './date-time';
export { mayHoldUnstorableText, findUnstorableText } from './unstorable-text';
export { clipText } from './clip-text';
export { nestingDepth, tooDeepIssue } from './nesting';
export { jsonSchemas } from './json-schema';
export { upcast, UPCASTERS, CURRENT_VERSIONS, type Upcaster, type VersionPolicy, type UpcastResult } from './versions/upcast';
export { LEGACY_FIRST_TOUCH } from './versions/v1-to-v2';
export {
  LAKE_COLUMNS,
  LAKE_PARTITIONS,
  BAD_ROW_COLUMNS,
  BAD_ROW_PARTITIONS,
  FIREHOSE_FAILED_COLUMNS,
  FIREHOSE_FAILED_PARTITIONS,
  type ColumnType,
  type LakeColumn,
} from './catalog/lake-columns';
export { TABLES, FIREHOSE_FAILED_TABLE, FIREHOSE_ERROR_PREFIX, catalogTables, hiveType, dataColumns, DEFAULT_LAKE_FORMAT, type CatalogOptions, type LakeFormat, type TableSpec } from './catalog/table-spec';
export { athenaDdl } from './catalog/athena-ddl';
export { STORAGE_FORMATS, tableFormat, type StorageFormat } from './catalog/storage-format';
export { BAD_ROW_ERROR_TYPES, INGEST_OTHER, INGEST_REJECTION_CODES, INGEST_UNREADABLE, PROCESSOR_ERROR_TYPES, type BadRowErrorTypeName, type IngestRejectionCode } from './catalog/bad-row-types';
export { glueTables, type GlueTableInput, type GlueColumn } from './catalog/glue';
export { checkStreamName, DEFAULT_BAD_ROWS_STREAM } from './stream-names';
export { checkAwsRegion, checkEndpointUrl } from './aws-settings';
export { isAddressOrHostName, isHostName, isIpAddress, parseSwitch } from './listen-settings';
export { SEGMENT_CONTEXT_NAMES, segmentContextName } from './segment-names';
export { SERVER_CONTEXT_KEYS } from './server-context';
