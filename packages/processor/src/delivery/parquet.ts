import { LAKE_COLUMNS, parseDateTime, type ColumnType } from '@eventline/schemas';
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { BasicType, SchemaElement } from 'hyparquet-writer';
import type { LakeRow } from '../core/lake-row';
import { snappyCompress } from './snappy';
import { Utf8Slab } from './utf8-slab';

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
 * Columns whose min/max lets DuckDB and Athena skip a file: only those whose range within one
 * file is narrow. Time (a flush spans seconds to minutes), event_id (UUIDv7, time-ordered), and
 * the keys that a file often holds one value of (schema_version, type, event). The others span
 * nearly their whole range in any file of a few thousand events: random ids, free text, JSON,
 * and attributes spread over all users (browser, OS, locale, campaign and first_touch, screen, seq per device);
 * app_id lives in the folder, which readers prune by. Computing their statistics cost ~5–9 %
 * of the Parquet path's time for nothing.
 */
const STATISTICS = new Set(['event_id', 'client_ts', 'sent_at', 'received_at', 'schema_version', 'type', 'event']);

/**
 * A Parquet file gathered column by column as its rows come, so that a row does not outlive its
 * processing: only the values stay until the file is written. Retaining whole rows until then
 * made every young-generation collection copy them (half of the Parquet path's GC time).
 */
export interface ParquetFileBuilder {
  add(row: LakeRow): void;
  /** The file: see encodeParquet. */
  encode(): Uint8Array;
}

const COLUMNS = LAKE_COLUMNS.map((column) => ({ name: column.name, type: column.type, plain: PLAIN.has(column.name) }));
/** Column index by name. */
const INDEX = new Map(COLUMNS.map((column, i) => [column.name, i]));

export function createParquetFileBuilder(): ParquetFileBuilder {
  const values = COLUMNS.map((): unknown[] => []);
  let rows = 0;
  const utf8 = new Utf8Slab();
  // Per string column: each distinct value's bytes, shared by its rows. The writer then finds
  // repeats by identity when it builds a dictionary, and hashes each distinct value's bytes once.
  // The last value is checked first: neighbouring rows often share it.
  const interned = COLUMNS.map(() => new Map<string, Uint8Array>());
  const lastText = COLUMNS.map((): string | undefined => undefined);
  const lastBytes = COLUMNS.map((): Uint8Array | undefined => undefined);
  const bytesOf = (i: number, text: string): Uint8Array => {
    if (text === lastText[i]) return lastBytes[i] as Uint8Array;
    const seen = interned[i] as Map<string, Uint8Array>;
    let bytes = seen.get(text);
    if (bytes === undefined) seen.set(text, (bytes = utf8.encode(text)));
    lastText[i] = text;
    lastBytes[i] = bytes;
    return bytes;
  };
  const keyAt: string[] = [];
  const indexAt: (number | undefined)[] = [];
  return {
    add(row) {
      const n = rows++;
      for (let i = 0; i < values.length; i += 1) (values[i] as unknown[]).push(null);
      // The row's own keys (toLakeRow's rows hold every column, absent ones undefined; a caller's may hold fewer): absent ones stay null.
      let k = 0;
      for (const name in row) {
        const value = (row as unknown as Record<string, unknown>)[name];
        // Rows share one key order (toLakeRow): the column at this position is known after the first row.
        let i = keyAt[k] === name ? indexAt[k] : undefined;
        if (i === undefined) {
          i = INDEX.get(name);
          keyAt[k] = name;
          indexAt[k] = i;
        }
        k += 1;
        if (i === undefined || value === undefined || value === null) continue;
        const column = COLUMNS[i] as (typeof COLUMNS)[number];
        let out: unknown;
        if (typeof value === 'string' && column.type === 'string') out = column.plain ? utf8.encode(value) : bytesOf(i, value);
        else if (column.type === 'json') out = utf8.encode(JSON.stringify(value));
        else out = toParquetValue(value, column.type);
        (values[i] as unknown[])[n] = out;
      }
    },
    encode() {
      return writeParquet(values);
    },
  };
}

/**
 * Lake rows as one Parquet file (Snappy), one typed column per LAKE_COLUMNS entry: timestamps
 * as INT64 TIMESTAMP_MILLIS, annotated UTC (PARQUET_SCHEMA), JSON objects as their JSON.stringify text with the JSON converted type (see WRITE_SCHEMA), all nullable.
 * The schema comes from the catalog, never from the data, so every file has the same columns.
 */
export function encodeParquet(rows: readonly LakeRow[]): Uint8Array {
  const file = createParquetFileBuilder();
  for (const row of rows) file.add(row);
  return file.encode();
}

/** Each column's options for the writer (its `data` comes from the file's rows). */
export const PARQUET_COLUMNS = LAKE_COLUMNS.map((column) => ({
  name: column.name,
  type: PARQUET_TYPES[column.type],
  nullable: true,
  ...(PLAIN.has(column.name) ? { encoding: 'PLAIN' as const } : {}),
  statistics: STATISTICS.has(column.name),
}));

/**
 * The file schema: the writer's own for each column type, with timestamps also annotated
 * `TIMESTAMP(isAdjustedToUTC = true, MILLIS)`. The writer gives them only the legacy converted
 * type TIMESTAMP_MILLIS, which the Parquet spec defines as UTC-adjusted and Athena (Trino) reads
 * so, but which DuckDB reads as a timestamp without a zone (then taken as local time). Same bytes.
 */
export const PARQUET_SCHEMA: SchemaElement[] = schemaFromColumnData({ columnData: PARQUET_COLUMNS.map((column) => ({ ...column, data: [] })) }).map((element) =>
  element.converted_type === 'TIMESTAMP_MILLIS' ? { ...element, logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } } : element,
);

/** The column options without their type: the schema above has it. */
const COLUMN_OPTIONS = PARQUET_COLUMNS.map(({ type: _type, ...options }) => options);

/**
 * The schema the writer works from: PARQUET_SCHEMA with the JSON columns as plain byte arrays,
 * since the builder hands it their JSON text's bytes. Given the JSON type, the writer would
 * serialise each value itself (hyparquet's toJson copy, JSON.stringify, TextEncoder per value:
 * ~8 % of the Parquet path's time) and would take bytes for an object. The footer gets PARQUET_SCHEMA
 * (writeParquet), so the files still type those columns JSON: byte for byte what the writer
 * writes from the objects (tested). JSON columns have neither a dictionary nor statistics, the
 * only steps that would read the type.
 */
const WRITE_SCHEMA: SchemaElement[] = PARQUET_SCHEMA.map((element) =>
  element.converted_type === 'JSON' ? { name: element.name, type: element.type, repetition_type: element.repetition_type } : element,
);

function writeParquet(values: readonly unknown[][]): Uint8Array {
  const columnData = COLUMN_OPTIONS.map((column, i) => ({ ...column, data: values[i] as unknown[] }));
  const writer = new ByteWriter();
  const file = new ParquetWriter({ writer, schema: WRITE_SCHEMA, compressors: { SNAPPY: snappyCompress } });
  void file.write({ columnData, rowGroupSize: 100_000 }); // synchronous: a ByteWriter has no flush (as parquetWriteBuffer relies on)
  file.schema = PARQUET_SCHEMA; // the footer's schema: JSON columns typed JSON
  void file.finish();
  return new Uint8Array(writer.getBuffer());
}

function toParquetValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamp': {
      // Epoch milliseconds: the writer stores a number as is (no Date object per value). Validated
      // times are RFC 3339, which parseDateTime reads as Date.parse does, in about half its time.
      const ms = parseDateTime(value as string);
      return Number.isNaN(ms) ? Date.parse(value as string) : ms;
    }
    case 'bigint':
      return BigInt(value as number);
    default:
      return value;
  }
}
