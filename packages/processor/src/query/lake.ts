import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { BAD_ROW_COLUMNS, BAD_ROW_PARTITIONS, EVENT_COLUMNS, EVENT_PARTITIONS, type Columns } from './columns';
import { DEFAULT_GUARD_LIMITS, runGuarded, sandbox, type GuardedResult, type GuardLimits } from './guard';
import { toPlainRows, type Row } from './to-plain';

export type { Row, Plain } from './to-plain';

/** An in-memory DuckDB with `events` and `bad_rows` views over a lake folder. */
export interface Lake {
  query(sql: string): Promise<Row[]>;
  close(): void;
}

/** A lake for SQL typed by people: one read-only statement at a time, time- and row-limited. */
export interface ReadOnlyLake {
  query(sql: string): Promise<GuardedResult>;
  close(): void;
}

interface ViewSpec {
  name: string;
  folder: string;
  columns: Columns;
  partitions: Columns;
}

type FileKind = 'ndjson' | 'parquet';

/**
 * Open a lake folder for SQL. NDJSON.gz and Parquet files are read alike into one view per
 * table. While a folder has no files of a kind, the view leaves that kind out (an empty view
 * still has every typed column); each query re-checks, so files written later are picked up.
 */
export async function openLake(lakeDir: string): Promise<Lake> {
  const { connection, refresh, close } = await openViews(lakeDir);
  return {
    async query(sql) {
      await refresh();
      return toPlainRows(await connection.runAndReadAll(sql));
    },
    close,
  };
}

/**
 * Open a lake for untrusted SQL (the demo's SQL box): the connection can read only the lake
 * folder, and each query must be a single SELECT that finishes within the limits.
 */
export async function openReadOnlyLake(lakeDir: string, limits: Partial<GuardLimits> = {}): Promise<ReadOnlyLake> {
  const effective = { ...DEFAULT_GUARD_LIMITS, ...limits };
  const { connection, refresh, close } = await openViews(lakeDir, effective);
  return {
    async query(sql) {
      await refresh();
      return runGuarded(connection, sql, effective);
    },
    close,
  };
}

/** `sandboxed`: the limits of a connection for untrusted SQL; absent for our own queries. */
async function openViews(lakeDir: string, sandboxed?: GuardLimits) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const views: ViewSpec[] = [
    { name: 'events', folder: join(lakeDir, 'events'), columns: EVENT_COLUMNS, partitions: EVENT_PARTITIONS },
    { name: 'bad_rows', folder: join(lakeDir, 'bad_rows'), columns: BAD_ROW_COLUMNS, partitions: BAD_ROW_PARTITIONS },
  ];
  const complete = new Set<string>();
  const defineViews = async (): Promise<void> => {
    for (const view of views.filter((v) => !complete.has(v.name))) {
      const kinds: FileKind[] = [];
      for (const kind of ['ndjson', 'parquet'] as const) if (await anyFiles(connection, pattern(view.folder, kind))) kinds.push(kind);
      const sources = kinds.map((kind) => selectSql(view, kind));
      await connection.run(`CREATE OR REPLACE VIEW ${view.name} AS ${sources.length > 0 ? sources.join(' UNION ALL ') : emptySql(view)}`);
      if (kinds.length === 2) complete.add(view.name);
    }
  };
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    // The lake's times are UTC instants and its event_date / hour partitions UTC days and hours.
    // DuckDB's default is the machine's zone: Parquet's timestamps (read without a zone) were cast
    // to TIMESTAMPTZ as local times, and hour(received_at) / received_at::DATE disagreed with the
    // partitions. Set before the sandbox locks the settings.
    await connection.run("SET TimeZone = 'UTC'");
    if (sandboxed) await sandbox(connection, lakeDir, sandboxed);
    await defineViews();
  } catch (error) {
    close();
    throw error;
  }
  const refresh = async (): Promise<void> => {
    if (complete.size < views.length) await defineViews();
  };
  return { connection, refresh, close };
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

function pattern(folder: string, kind: FileKind): string {
  return `${folder}/**/*.${kind === 'ndjson' ? 'ndjson.gz' : 'parquet'}`;
}

async function anyFiles(connection: DuckDBConnection, glob: string): Promise<boolean> {
  const result = await connection.runAndReadAll(`SELECT count(*) AS n FROM glob(${literal(glob)})`);
  const n = result.getRowObjectsJS()[0]?.n;
  return typeof n === 'bigint' ? n > 0n : Number(n) > 0;
}

/** Every source yields the same columns in the same order and types, so they UNION cleanly. */
function selectSql(view: ViewSpec, kind: FileKind): string {
  const struct = (cols: Columns): string => `{${cols.map(([name, type]) => `${literal(name)}: ${literal(type)}`).join(', ')}}`;
  const hive = `hive_partitioning = true, union_by_name = true, hive_types = ${struct(view.partitions)}`;
  const from =
    kind === 'ndjson'
      ? `read_json(${literal(pattern(view.folder, 'ndjson'))}, format = 'newline_delimited', ${hive}, columns = ${struct(view.columns)})`
      : `(${parquetSql(view, hive)})`;
  const cols = [...view.columns, ...view.partitions].map(([name, type]) => `CAST(${identifier(name)} AS ${type}) AS ${identifier(name)}`);
  return `SELECT ${cols.join(', ')} FROM ${from}`;
}

/**
 * Parquet files hold the columns of the catalog that wrote them: `union_by_name` fills a column some
 * files lack with NULL, but one that every file lacks (all written before it joined the catalog)
 * does not exist at all, and every query on the view failed with a Binder Error. An empty row of
 * every catalog column joined BY NAME supplies it (NULL takes the files' type where they have one).
 */
function parquetSql(view: ViewSpec, hive: string): string {
  const everyColumn = [...view.columns, ...view.partitions].map(([name]) => `NULL AS ${identifier(name)}`);
  return `SELECT * FROM read_parquet(${literal(pattern(view.folder, 'parquet'))}, ${hive}) UNION ALL BY NAME SELECT ${everyColumn.join(', ')} WHERE false`;
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
