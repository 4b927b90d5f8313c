import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { BAD_ROW_COLUMNS, BAD_ROW_PARTITIONS, EVENT_COLUMNS, EVENT_PARTITIONS } from './columns';
import { toPlainRows, type Row } from './to-plain';

export type { Row, Plain } from './to-plain';

/** An in-memory DuckDB with `events` and `bad_rows` views over a lake folder. */
export interface Lake {
  query(sql: string): Promise<Row[]>;
  close(): void;
}

type Columns = readonly (readonly [string, string])[];

interface ViewSpec {
  name: string;
  folder: string;
  columns: Columns;
  partitions: Columns;
}

/**
 * Open a lake folder for SQL. While a folder has no files yet, its view exists with the right
 * columns and no rows; each query re-checks, so files written later are picked up.
 */
export async function openLake(lakeDir: string): Promise<Lake> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const views: ViewSpec[] = [
    { name: 'events', folder: join(lakeDir, 'events'), columns: EVENT_COLUMNS, partitions: EVENT_PARTITIONS },
    { name: 'bad_rows', folder: join(lakeDir, 'bad_rows'), columns: BAD_ROW_COLUMNS, partitions: BAD_ROW_PARTITIONS },
  ];
  const empty = new Set<string>();
  const defineViews = async (): Promise<void> => {
    for (const view of views) {
      const hasFiles = await anyFiles(connection, pattern(view.folder));
      await connection.run(`CREATE OR REPLACE VIEW ${view.name} AS ${hasFiles ? readSql(view) : emptySql(view)}`);
      if (hasFiles) empty.delete(view.name);
      else empty.add(view.name);
    }
  };
  try {
    await defineViews();
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return {
    async query(sql) {
      if (empty.size > 0) await defineViews();
      return toPlainRows(await connection.runAndReadAll(sql));
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Open, run one statement, close. */
export async function runQuery(lakeDir: string, sql: string): Promise<Row[]> {
  const lake = await openLake(lakeDir);
  try {
    return await lake.query(sql);
  } finally {
    lake.close();
  }
}

function pattern(folder: string): string {
  return `${folder}/**/*.ndjson.gz`;
}

async function anyFiles(connection: DuckDBConnection, glob: string): Promise<boolean> {
  const result = await connection.runAndReadAll(`SELECT count(*) AS n FROM glob(${literal(glob)})`);
  const n = result.getRowObjectsJS()[0]?.n;
  return typeof n === 'bigint' ? n > 0n : Number(n) > 0;
}

function readSql(view: ViewSpec): string {
  const struct = (cols: Columns): string => `{${cols.map(([name, type]) => `${literal(name)}: ${literal(type)}`).join(', ')}}`;
  return (
    `SELECT * FROM read_json(${literal(pattern(view.folder))}, format = 'newline_delimited', ` +
    `hive_partitioning = true, union_by_name = true, columns = ${struct(view.columns)}, ` +
    `hive_types = ${struct(view.partitions)})`
  );
}

function emptySql(view: ViewSpec): string {
  const cols = [...view.columns, ...view.partitions].map(([name, type]) => `NULL::${type} AS ${identifier(name)}`);
  return `SELECT ${cols.join(', ')} WHERE false`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
