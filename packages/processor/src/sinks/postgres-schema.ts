import { createHash } from 'node:crypto';
import { LAKE_COLUMNS, type ColumnType } from '@eventline/schemas';
import type pg from 'pg';

/** Each catalog type's PostgreSQL column type. */
const PG_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'text',
  int: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  json: 'jsonb',
};

export interface PgTable {
  schema: string;
  table: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A plain lower-case PostgreSQL name, the only kind PG_SCHEMA and PG_TABLE take (no quoting needed anywhere). */
export const isPlainPgName = (name: string): boolean => NAME.test(name);

export class PostgresConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresConfigError';
  }
}

export function checkTable(t: PgTable): PgTable {
  for (const name of [t.schema, t.table]) {
    if (!isPlainPgName(name)) throw new PostgresConfigError(`"${name}" is not a plain lower-case PostgreSQL name`);
  }
  return t;
}

export function qualified(t: PgTable): string {
  return `"${t.schema}"."${t.table}"`;
}

/** The dedupe key (as everywhere downstream, see core/dedupe-key): the primary key and the sink's ON CONFLICT target. */
export const PG_KEY_COLUMNS = ['app_id', 'event_id'] as const;
/** The key's column list as SQL (the CREATE's PRIMARY KEY and the sink's ON CONFLICT). */
export const KEY_SQL = PG_KEY_COLUMNS.map((c) => `"${c}"`).join(', ');
/** The key's column names sorted, as checkPrimaryKey's query lists a table's key. */
const KEY_COLUMNS_BY_NAME = [...PG_KEY_COLUMNS].sort().join(',');

/** The table from the catalog: typed columns, JSON as jsonb, (app_id, event_id) the primary key (its other index: createIndexSql). */
export function createTableSql(t: PgTable): string[] {
  const columns = LAKE_COLUMNS.map((c) => `  "${c.name}" ${PG_TYPES[c.type]}`);
  return [
    `CREATE SCHEMA IF NOT EXISTS "${t.schema}"`,
    `CREATE TABLE IF NOT EXISTS ${qualified(t)} (\n${columns.join(',\n')},\n  "loaded_at" timestamptz NOT NULL DEFAULT now(),\n  PRIMARY KEY (${KEY_SQL})\n)`,
  ];
}

/** PostgreSQL's NAMEDATALEN - 1: it cuts longer names to this many bytes (names here are ASCII). */
const MAX_NAME_LENGTH = 63;

/**
 * The (app_id, received_at) index's name, as created and as looked up at start: `<table>_app_received_idx`,
 * cut to 63 characters as PostgreSQL cuts it (so tables of 47–62 characters keep the index name an
 * earlier release made). For a 63-character table that cut is the table's own name: the lookup found
 * the table and the index was never made. There, and only there, the name is the table's first 50
 * characters, a hash of the whole name and `_idx`.
 */
export function indexName(t: PgTable): string {
  const name = `${t.table}_app_received_idx`.slice(0, MAX_NAME_LENGTH);
  if (name !== t.table) return name;
  const hash = createHash('sha256').update(t.table).digest('hex').slice(0, 8);
  return `${t.table.slice(0, MAX_NAME_LENGTH - 13)}_${hash}_idx`;
}

/** The index on (app_id, received_at): made once the table has its catalog columns. */
export function createIndexSql(t: PgTable): string {
  return `CREATE INDEX IF NOT EXISTS "${indexName(t)}" ON ${qualified(t)} ("app_id", "received_at")`;
}

export const PG_COLUMN_TYPES = LAKE_COLUMNS.map((c) => ({ name: c.name, pgType: PG_TYPES[c.type] }));

/** How PostgreSQL's format_type names each type above (only timestamptz differs). */
const FORMATTED: Record<string, string> = { timestamptz: 'timestamp with time zone' };

/**
 * Longest the start-up's `LOCK TABLE … ACCESS EXCLUSIVE` waits (SET LOCAL lock_timeout): while it
 * waits, every other statement on the table (the BI query's neighbours, other processors' INSERTs)
 * queues behind it. Short, so that an open transaction elsewhere (a report, pg_dump) stalls the
 * table for at most this long per attempt; the sink retries the start-up between waits.
 */
export const PG_LOCK_TIMEOUT_MS = 2_000;

/** The ALTER that adds `columns`: what start-up runs, and (with a `;`) what its errors tell an operator to run. */
function addColumnsSql(t: PgTable, columns: readonly { name: string; pgType: string }[]): string {
  return `ALTER TABLE ${qualified(t)} ${columns.map((c) => `ADD COLUMN IF NOT EXISTS "${c.name}" ${c.pgType}`).join(', ')}`;
}

/**
 * Adding the missing columns waited longer than the lock timeout: another transaction held the
 * table. The sink retries the start-up on this; `missing` and `sql` make the final error.
 */
export class PostgresTableBusyError extends Error {
  constructor(
    message: string,
    readonly table: string,
    readonly missing: string[],
    readonly sql: string,
  ) {
    super(message);
    this.name = 'PostgresTableBusyError';
  }
}

/** SQLSTATEs prepareTable translates: lock_not_available (lock_timeout) and insufficient_privilege. */
const LOCK_NOT_AVAILABLE = '55P03';
const INSUFFICIENT_PRIVILEGE = '42501';

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Create the table, or complete one an earlier release created: CREATE TABLE IF NOT EXISTS leaves
 * an existing table as it is, so a column added to the catalog since (LAKE_COLUMNS; envelope v2's
 * seven first_touch_* columns) was missing and every INSERT failed (42703), holding the shard.
 * Missing catalog columns are added (nullable, as every catalog column is: additive only, nothing
 * is rewritten); a catalog column of another type is a configuration error naming it, at start,
 * rather than a flush failing later. Columns the catalog does not list are left alone. Run inside
 * the start-up transaction. Returns the names of the columns it added (none when the table was complete).
 * Only the CREATEs of what is absent are run, and a lock is taken only when columns are missing, so
 * a role with SELECT and INSERT alone starts on a complete table.
 */
export async function prepareTable(client: pg.ClientBase, t: PgTable, lockTimeoutMs: number): Promise<string[]> {
  if (!(await exists(client, qualified(t)))) {
    for (const sql of createTableSql(t)) await client.query(sql);
  }
  let found = await tableColumns(client, t);
  const wrong = PG_COLUMN_TYPES.flatMap(({ name, pgType }) => {
    const type = found.get(name);
    const expected = FORMATTED[pgType] ?? pgType;
    return type === undefined || type === expected ? [] : [`"${name}" is ${type}, expected ${expected}`];
  });
  if (wrong.length > 0) {
    throw new PostgresConfigError(`${qualified(t)} does not match the catalog: ${wrong.join('; ')} (alter or rename the column, or use another PG_TABLE)`);
  }
  let missing = PG_COLUMN_TYPES.filter(({ name }) => !found.has(name));
  if (missing.length > 0) {
    // The lock ALTER TABLE takes anyway, taken before looking again: processors starting together
    // queue here, and only the first adds (and reports) the columns; the others find them.
    await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
    await addColumnsStep(t, missing, () => client.query(`LOCK TABLE ${qualified(t)} IN ACCESS EXCLUSIVE MODE`));
    found = await tableColumns(client, t);
    missing = PG_COLUMN_TYPES.filter(({ name }) => !found.has(name));
  }
  if (missing.length > 0) {
    await addColumnsStep(t, missing, () => client.query(addColumnsSql(t, missing)));
  }
  await checkPrimaryKey(client, t);
  if (!(await exists(client, `"${t.schema}"."${indexName(t)}"`))) await client.query(createIndexSql(t));
  return missing.map((c) => c.name);
}

/** Whether the relation (table or index) `name` exists. */
async function exists(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]);
  return rows[0]?.found === true;
}

/** Run the LOCK or ALTER of adding `missing`; its lock timeout and a refused privilege become errors naming the ALTER to run. */
async function addColumnsStep(t: PgTable, missing: readonly { name: string; pgType: string }[], step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const names = missing.map((c) => c.name);
    // As an operator pastes it into psql.
    const sql = `${addColumnsSql(t, missing)};`;
    const lacks = `${qualified(t)} lacks the catalog columns ${names.join(', ')}`;
    if (sqlState(error) === LOCK_NOT_AVAILABLE) {
      throw new PostgresTableBusyError(`${lacks}; another transaction held the table past the lock timeout`, qualified(t), names, sql);
    }
    if (sqlState(error) === INSUFFICIENT_PRIVILEGE) {
      throw new PostgresConfigError(
        `${lacks}, and this role may not add them (${error instanceof Error ? error.message : String(error)}). ` +
          `Have the table's owner run: ${sql} (or connect as the owner)`,
      );
    }
    throw error;
  }
}

/** The table's columns and their types, as format_type names them. */
async function tableColumns(client: pg.ClientBase, t: PgTable): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [qualified(t)],
  );
  return new Map(rows.map((r) => [r.name, r.type]));
}

/**
 * The sink's `ON CONFLICT (app_id, event_id)` needs that key. A table an older release made has
 * PRIMARY KEY (event_id): there, one app's event would be skipped as a conflict with another app's
 * of the same event_id. Changing a primary key rewrites its index and may fail on rows the old key
 * allowed, so it is the operator's step, named with its SQL, not done here.
 */
async function checkPrimaryKey(client: pg.ClientBase, t: PgTable): Promise<void> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.conname AS name, array_agg(a.attname::text ORDER BY a.attname) AS columns
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
      WHERE c.conrelid = $1::regclass AND c.contype = 'p'
      GROUP BY c.conname`,
    [qualified(t)],
  );
  const found = rows[0];
  // The query lists the key's columns by name (`name` sorts bytewise, as JavaScript sorts these names).
  if (found !== undefined && found.columns.join(',') === KEY_COLUMNS_BY_NAME) return;
  const drop = found === undefined ? '' : `DROP CONSTRAINT "${found.name}", `;
  const has = found === undefined ? 'has no primary key' : `has PRIMARY KEY (${found.columns.map((c) => `"${c}"`).join(', ')})`;
  throw new PostgresConfigError(
    `${qualified(t)} ${has}; the processor dedupes on (app_id, event_id) and needs PRIMARY KEY (${KEY_SQL}). ` +
      `Run: ALTER TABLE ${qualified(t)} ${drop}ADD PRIMARY KEY (${KEY_SQL}); (or use another PG_TABLE)`,
  );
}
