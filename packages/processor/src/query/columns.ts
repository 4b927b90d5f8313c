import { BAD_ROW_COLUMNS as BAD_ROW_CATALOG, LAKE_COLUMNS, type ColumnType, type LakeColumn } from '@eventline/schemas';

export type Columns = readonly (readonly [string, string])[];

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

const toDuck = (columns: readonly LakeColumn[]): Columns => columns.map((c) => [c.name, DUCKDB_TYPES[c.type]] as const);

/**
 * The lake's columns with fixed types (from the catalog in @eventline/schemas), so every file
 * reads the same way whatever keys it holds, and an empty lake still has a typed (empty) view.
 * Open objects (properties, traits, context) are JSON: `(properties->>'af_revenue')::DOUBLE`.
 */
export const EVENT_COLUMNS: Columns = toDuck(LAKE_COLUMNS);

/** Folder (Hive) partition columns of `events/`, typed: `hour=09` would otherwise be text. */
export const EVENT_PARTITIONS: Columns = [
  ['event_date', 'DATE'],
  ['hour', 'INTEGER'],
];

export const BAD_ROW_COLUMNS: Columns = toDuck(BAD_ROW_CATALOG);

export const BAD_ROW_PARTITIONS: Columns = [['event_date', 'DATE']];
