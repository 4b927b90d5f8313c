export { AF_EVENTS, type AfEventName, AfProperties, type EventProperties } from './af-events';
export {
  Batch,
  ClientEvent,
  StoredEvent,
  ServerFields,
  EVENT_TYPES,
  SCHEMA_VERSION,
  LIMITS,
  type EventType,
  type ClientBatch,
} from './v1/event';
export { Context, Campaign, Consent } from './v1/context';
export { type Issue, type IssueCode, pointerToPath, formatIssue } from './issue';
export { validateEvent, validateStoredEvent, validateBatchShape, type Result } from './validate';
export { isUuidV7, isDateTime, UUID_V7 } from './formats';
export { jsonSchemas } from './json-schema';
