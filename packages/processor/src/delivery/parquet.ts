import { LAKE_COLUMNS, type ColumnType } from '@eventline/schemas';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { BasicType } from 'hyparquet-writer';
import type { LakeRow } from '../core/lake-row';

const PARQUET_TYPES: Record<ColumnType, BasicType> = {
  string: 'STRING',
  int: 'INT32',
  bigint: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

/** Unique per event: a dictionary never pays off, so skip trying one. */
const PLAIN = new Set(['event_id', 'seq', 'client_ts', 'sent_at', 'received_at', 'properties', 'traits', 'context']);
/**
 * Min/max that prunes nothing: skip computing it. JSON and long free text, and random ids (a file
 * of a few thousand devices spans nearly the whole id range). event_id keeps its statistics: UUIDv7
 * ids are time-ordered, so each file's range is narrow.
 */
const NO_STATISTICS = new Set([
  'properties',
  'traits',
  'context',
  'page_url',
  'page_referrer',
  'page_title',
  'user_agent',
  'anonymous_id',
  'user_id',
  'previous_id',
  'group_id',
  'session_id',
  'click_id',
]);

/**
 * Lake rows as one Parquet file (Snappy), one typed column per LAKE_COLUMNS entry: timestamps
 * as INT64 TIMESTAMP_MILLIS (UTC), JSON objects as text with the JSON logical type (the writer serialises them), all nullable.
 * The schema comes from the catalog, never from the data, so every file has the same columns.
 */
export function encodeParquet(rows: readonly LakeRow[]): Uint8Array {
  const columnData = LAKE_COLUMNS.map((column) => ({
    name: column.name,
    type: PARQUET_TYPES[column.type],
    nullable: true,
    ...(PLAIN.has(column.name) ? { encoding: 'PLAIN' as const } : {}),
    ...(NO_STATISTICS.has(column.name) ? { statistics: false } : {}),
    data: rows.map((row) => toParquetValue(row[column.name as keyof LakeRow], column.type)),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 100_000 }));
}

function toParquetValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamp':
      // Epoch milliseconds: the writer stores a number as is (no Date object per value).
      return Date.parse(value as string);
    case 'bigint':
      return BigInt(value as number);
    default:
      return value;
  }
}
