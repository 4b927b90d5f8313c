/**
 * The lake's columns with fixed types, so every file reads the same way whatever keys it holds,
 * and an empty lake still has a typed (empty) view. Mirrors StoredEvent (schemas v1): add a field
 * there, add it here. Open objects (properties, traits, context) are JSON: query them with
 * `properties->>'af_currency'` or `(properties->>'af_revenue')::DOUBLE`.
 */
export const EVENT_COLUMNS: readonly (readonly [string, string])[] = [
  ['event_id', 'VARCHAR'],
  ['schema_version', 'INTEGER'],
  ['type', 'VARCHAR'],
  ['event', 'VARCHAR'],
  ['properties', 'JSON'],
  ['traits', 'JSON'],
  ['user_id', 'VARCHAR'],
  ['anonymous_id', 'VARCHAR'],
  ['previous_id', 'VARCHAR'],
  ['group_id', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['seq', 'BIGINT'],
  ['client_ts', 'TIMESTAMPTZ'],
  ['sent_at', 'TIMESTAMPTZ'],
  ['received_at', 'TIMESTAMPTZ'],
  ['context', 'JSON'],
  ['app_id', 'VARCHAR'],
];

/** Folder (Hive) partition columns of `events/`, typed: `hour=09` would otherwise be text. */
export const EVENT_PARTITIONS: readonly (readonly [string, string])[] = [
  ['event_date', 'DATE'],
  ['hour', 'INTEGER'],
];

/** Mirrors BadRow. */
export const BAD_ROW_COLUMNS: readonly (readonly [string, string])[] = [
  ['error_type', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['sequence_number', 'VARCHAR'],
  ['partition_key', 'VARCHAR'],
  ['payload', 'VARCHAR'],
  ['payload_truncated', 'BOOLEAN'],
  ['arrived_at', 'TIMESTAMPTZ'],
  ['failed_at', 'TIMESTAMPTZ'],
];

export const BAD_ROW_PARTITIONS: readonly (readonly [string, string])[] = [['event_date', 'DATE']];
