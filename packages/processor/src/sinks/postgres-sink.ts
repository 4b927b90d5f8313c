import pg from 'pg';
import { dedupeKey } from '../core/dedupe-key';
import type { LakeRow } from '../core/lake-row';
import type { RefusedRow, RowSink } from '../delivery/sink';
import { retryTableLock, type LockRetry } from './postgres-lock-retry';
import { refusedRelation, rowMayFillColumn, type CatalogQuery } from './postgres-column-source';
import { columnNoRowFills, isRowDataError, PostgresTableRefusalError } from './postgres-row-errors';
import { checkTable, PG_COLUMN_TYPES, PG_LOCK_TIMEOUT_MS, prepareTable, qualified, type PgTable } from './postgres-schema';
import { insertSql, PG_MAX_STATEMENT_BYTES, sliceStatement, splitStatements, type Statement } from './postgres-statements';

export interface PostgresSinkOptions extends Partial<PgTable> {
  connectionString: string;
  /** Rows per INSERT statement; a flush of N rows takes ceil(N / batchSize) statements. Default 500. */
  batchSize?: number;
  /**
   * Parameter bytes per INSERT statement, besides batchSize's rows: a row larger than this goes in a
   * statement alone. Default PG_MAX_STATEMENT_BYTES (16 MiB).
   */
  maxStatementBytes?: number;
  /** Connections in the pool. Default 2: the stream, not the database, absorbs spikes. */
  maxConnections?: number;
  /** Longest wait for a connection (opening one, or a free one from the pool). Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Longest a statement may run, set as `SET LOCAL statement_timeout` in each transaction (a lock
   * held by a migration, an overloaded server). Each query also has a client-side limit 5 s longer, for a
   * network that stopped answering. Default 30 s.
   */
  statementTimeoutMs?: number;
  /**
   * Only when start-up must add catalog columns the table lacks: longest its ACCESS EXCLUSIVE lock
   * waits (`SET LOCAL lock_timeout`), which is also the longest other statements on the table queue
   * behind it. A timed-out try rolls back and is retried after a jittered pause until the statement
   * timeout is spent; then start-up fails naming the ALTER to run. Default 2 s (PG_LOCK_TIMEOUT_MS); at
   * most a quarter of statementTimeoutMs, so that a try ends on the lock and is retried at least once
   * within the budget, never on the statement timeout.
   */
  lockTimeoutMs?: number;
  /** Start-up's lock on the table timed out and will be tried again (see lockTimeoutMs): to log the wait. */
  onLockRetry?: (retry: LockRetry) => void;
  /**
   * A connection broke while idle in the pool (a server restart, a failover, a proxy closing it):
   * the pool drops it and opens another when needed; this hears why. Without a listener pg's
   * pool would throw the error and end the process.
   */
  onIdleError?: (error: Error) => void;
  /** `application_name` of the connections, as `pg_stat_activity` shows them. Default 'eventline-processor'. */
  applicationName?: string;
  /**
   * Rows of a committed write that ON CONFLICT DO NOTHING skipped: their (app_id, event_id) was in the
   * table already (a replay after a crash, or a copy the seen index did not catch). Told once per
   * write that skipped any, with the keys (`<app_id>/<event_id>`) of the skipped rows, so that they
   * are counted and logged rather than vanishing.
   */
  onRowsSkipped?: (skipped: { count: number; keys: string[] }) => void;
  /**
   * Start-up added catalog columns the table lacked (a table an earlier release created, before a
   * new envelope version's columns): told once, with their names, so the change to the table is logged.
   */
  onColumnsAdded?: (added: { table: string; columns: string[] }) => void;
  /**
   * A write found the table (or its schema) gone — dropped while the processor ran — and created it
   * again, as a start would, then wrote the rows: told once per re-creation (by the flush that made
   * it, not by the others that waited for it), so the drop is logged (the rows stored before it are
   * gone from PostgreSQL; the lake still holds them).
   */
  onTableCreatedAgain?: (info: { table: string; error: string }) => void;
}

/** Defaults of the options above; the processor README's PG_* variables. */
export const PG_DEFAULTS = { connectTimeoutMs: 10_000, statementTimeoutMs: 30_000, applicationName: 'eventline-processor' } as const;
/** How much longer than the statement timeout the client waits before it gives up on the connection. */
const CLIENT_GRACE_MS = 5_000;

export interface PostgresSink extends RowSink {
  /** Statements and rows sent since start, and rows ON CONFLICT skipped in committed writes (for tests and stats). */
  stats(): { statements: number; rows: number; maxRowsPerStatement: number; maxBytesPerStatement: number; skipped: number };
}

/**
 * Rows into one PostgreSQL table, created on start. Idempotent: `ON CONFLICT (app_id, event_id) DO
 * NOTHING`, so a replay after a crash inserts nothing twice. Each flush is one transaction of
 * bounded multi-row INSERTs; the pool is small on purpose, so a traffic spike waits in Kinesis
 * instead of opening connections or sending huge statements.
 */
export async function createPostgresSink(options: PostgresSinkOptions): Promise<PostgresSink> {
  const table = checkTable({ schema: options.schema ?? 'public', table: options.table ?? 'events' });
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize * PG_COLUMN_TYPES.length > 65_535) {
    throw new RangeError(`batchSize must be 1..${Math.floor(65_535 / PG_COLUMN_TYPES.length)}, got ${batchSize}`);
  }
  const maxStatementBytes = options.maxStatementBytes ?? PG_MAX_STATEMENT_BYTES;
  if (!Number.isInteger(maxStatementBytes) || maxStatementBytes < 1) throw new RangeError(`maxStatementBytes must be a positive integer, got ${maxStatementBytes}`);
  const statementTimeoutMs = options.statementTimeoutMs ?? PG_DEFAULTS.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName ?? PG_DEFAULTS.applicationName,
    max: options.maxConnections ?? 2,
    connectionTimeoutMillis: options.connectTimeoutMs ?? PG_DEFAULTS.connectTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
    // TCP keep-alive: an idle connection to a vanished host is found out before the next flush.
    keepAlive: true,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  // The server-side limits are set per transaction (SET LOCAL), not as connection parameters:
  // PgBouncer and other poolers refuse unknown startup parameters, and a session SET would leak to
  // the next client of a pooled connection. The idle limit ends a transaction the process left open.
  const begin = `BEGIN; SET LOCAL statement_timeout = ${statementTimeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${statementTimeoutMs + CLIENT_GRACE_MS}`;

  /** Run `work` in one transaction with the limits above; a failed one's connection is closed. */
  // A user's DEFERRABLE constraint (a constraint trigger, a deferrable UNIQUE or FK) is checked at
  // COMMIT, after every savepoint passed: isolating, it is checked at each INSERT instead, so the
  // halving finds the row. (The first try keeps the user's deferral: isolation runs only if it fails.)
  const beginIsolating = `${begin}; SET CONSTRAINTS ALL IMMEDIATE`;
  async function transaction(work: (client: pg.PoolClient) => Promise<void>, start = begin): Promise<void> {
    const client = await pool.connect();
    // pg's pool listens for a client's 'error' only while it is idle. Checked out, a broken socket
    // (a reset, a failover, the server ending the session on its idle-in-transaction limit, EPIPE
    // while sending) was emitted with no listener, and Node ended the process. Heard here instead:
    // it fails the transaction (its queries reject; the next one would only say "not queryable").
    let broken: Error | undefined;
    const onError = (error: Error): void => void (broken ??= error);
    client.on('error', onError);
    let failure: Error | undefined;
    try {
      await client.query(start);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      failure = broken ?? (error instanceof Error ? error : new Error(String(error)));
      throw failure;
    } finally {
      // After a failure the connection is closed, not reused (it may be what failed), and closing it
      // rolls the transaction back: no ROLLBACK to wait for on a connection that stopped answering.
      client.release(failure ?? broken);
      client.removeListener('error', onError);
    }
  }

  const counters = { statements: 0, rows: 0, maxRowsPerStatement: 0, maxBytesPerStatement: 0, skipped: 0 };
  // At most a quarter of the statement timeout (the retry budget): a lock wait that outlasted the
  // statement timeout ended as a cancelled statement (57014), not retried, instead of a lock timeout
  // (PG_STATEMENT_TIMEOUT_MS=1000 with the 2 s default did); a quarter leaves room for a second try.
  const lockTimeoutMs = Math.min(options.lockTimeoutMs ?? PG_LOCK_TIMEOUT_MS, Math.floor(statementTimeoutMs / 4));
  /**
   * Two sessions creating one schema or table at once: IF NOT EXISTS checks before it inserts into
   * the catalog, so the loser fails with 23505 (the catalog's unique index), 42P06 or 42P07 although
   * the object now exists. Seen when shards' flushes (or two processes) found a dropped schema at
   * once; tried again, the loser finds it there.
   */
  async function ensureTable(): Promise<void> {
    try {
      await prepareTableOnce();
    } catch (error) {
      if (!isConcurrentCreate(error)) throw error;
      await prepareTableOnce();
    }
  }
  async function prepareTableOnce(): Promise<void> {
    let added: string[] = [];
    await retryTableLock(
      () =>
        transaction(async (client) => {
          added = await prepareTable(client, table, lockTimeoutMs);
        }),
      statementTimeoutMs,
      lockTimeoutMs,
      options.onLockRetry,
    );
    if (added.length > 0) options.onColumnsAdded?.({ table: qualified(table), columns: added });
  }
  try {
    await ensureTable();
  } catch (error) {
    await pool.end();
    throw error;
  }

  /** Insert `statement`; the keys of its rows ON CONFLICT skipped (those not RETURNED) are added to `skipped`. */
  async function insert(client: pg.PoolClient, statement: Statement, skipped: string[]): Promise<void> {
    const chunk = statement.rows;
    const result = await client.query<{ app_id: string; event_id: string }>(insertSql(table, chunk.length), statement.params);
    if (result.rows.length < chunk.length) {
      const inserted = new Set(result.rows.map(dedupeKey));
      for (const row of chunk) {
        const key = dedupeKey(row);
        if (!inserted.has(key)) skipped.push(key);
      }
    }
    counters.statements += 1;
    counters.rows += chunk.length;
    counters.maxRowsPerStatement = Math.max(counters.maxRowsPerStatement, chunk.length);
    counters.maxBytesPerStatement = Math.max(counters.maxBytesPerStatement, statement.bytes);
  }

  const writtenColumns = new Set(PG_COLUMN_TYPES.map(({ name }) => name));
  /** Per flush: whether a row may fill a column (catalog asked once per relation and column, see rowMayFillColumn). */
  type FillVerdicts = Map<string, Promise<boolean>>;
  /**
   * Returns when PostgreSQL refused rows for their own values (they can be isolated); throws any
   * other error, and PostgresTableRefusalError for a NOT NULL column no row fills. `query` asks the
   * catalog (not on a connection in a failed transaction).
   */
  async function rowRefusalOnly(error: unknown, query: CatalogQuery, verdicts: FillVerdicts): Promise<void> {
    if (!isRowDataError(error)) throw error;
    const column = columnNoRowFills(error, writtenColumns);
    if (column === undefined) return;
    const relation = refusedRelation(error, table);
    const key = JSON.stringify([relation.schema, relation.table, column]);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = rowMayFillColumn(query, relation, column);
      verdicts.set(key, verdict);
    }
    if (!(await verdict)) throw new PostgresTableRefusalError(qualified(table), column, error);
  }

  /** A catalog query on a connection of its own, with the transactions' limits. */
  const inOwnTransaction: CatalogQuery = async (sql, params) => {
    let rows: unknown[] = [];
    await transaction(async (client) => {
      ({ rows } = await client.query(sql, params));
    });
    return { rows };
  };

  /**
   * Insert `rows` under a savepoint; if PostgreSQL refuses a row's values, halve until the refused
   * rows stand alone (log2 extra statements per refused row) and insert the rest.
   */
  async function insertIsolating(
    client: pg.PoolClient,
    statement: Statement,
    refused: RefusedRow[],
    skipped: string[],
    verdicts: FillVerdicts,
  ): Promise<void> {
    const rows = statement.rows;
    await client.query('SAVEPOINT eventline_rows');
    try {
      await insert(client, statement, skipped);
      await client.query('RELEASE SAVEPOINT eventline_rows');
    } catch (error) {
      if (!isRowDataError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT eventline_rows');
      await client.query('RELEASE SAVEPOINT eventline_rows');
      await rowRefusalOnly(error, (sql, params) => client.query(sql, params), verdicts);
      if (rows.length === 1) {
        refused.push({ row: rows[0] as LakeRow, reason: refusalReason(error) });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await insertIsolating(client, sliceStatement(statement, 0, half), refused, skipped, verdicts);
      await insertIsolating(client, sliceStatement(statement, half, rows.length), refused, skipped, verdicts);
    }
  }

  /**
   * The table (or its schema) was dropped while the processor ran: every INSERT failed with 42P01
   * until a restart created it again. Created again here, as a start does, and the write retried once.
   */
  // One re-creation at a time per sink: the shards' flushes that found the table gone wait for it,
  // and only the flush that started it tells it (one log line per re-creation, not one per flush).
  let recreating: Promise<void> | undefined;
  async function ensureTableAgain(error: Error): Promise<void> {
    if (recreating) return await recreating;
    recreating = ensureTable().finally(() => {
      recreating = undefined;
    });
    await recreating;
    options.onTableCreatedAgain?.({ table: qualified(table), error: error.message });
  }
  async function writeRows(rows: readonly LakeRow[]): Promise<RefusedRow[]> {
    try {
      return await writeRowsOnce(rows);
    } catch (error) {
      if (!isTableGone(error)) throw error;
      await ensureTableAgain(error as Error);
      return await writeRowsOnce(rows);
    }
  }

  async function writeRowsOnce(rows: readonly LakeRow[]): Promise<RefusedRow[]> {
    if (rows.length === 0) return [];
    const chunks = splitStatements(rows, batchSize, maxStatementBytes);
    // Skips are told only for a committed transaction: a failed one inserted (and skipped) nothing.
    const skippedFirst: string[] = [];
    const verdicts: FillVerdicts = new Map();
    let committed = false;
    try {
      await transaction(async (client) => {
        for (const chunk of chunks) await insert(client, chunk, skippedFirst);
      });
      committed = true;
    } catch (error) {
      // Anything else (a lost connection, a timeout, a full disk, a NOT NULL column the sink does not
      // write and no row fills) fails the flush, which is retried. The failed transaction's
      // connection is closed: the catalog is asked in a transaction of its own.
      await rowRefusalOnly(error, inOwnTransaction, verdicts);
    }
    if (committed) {
      tellSkipped(skippedFirst);
      return [];
    }
    // Some row's own values are refused, and would be on every retry: find them, write the others.
    const refused: RefusedRow[] = [];
    const skipped: string[] = [];
    await transaction(async (client) => {
      for (const chunk of chunks) await insertIsolating(client, chunk, refused, skipped, verdicts);
    }, beginIsolating);
    tellSkipped(skipped);
    return refused;
  }

  function tellSkipped(keys: string[]): void {
    if (keys.length === 0) return;
    counters.skipped += keys.length;
    options.onRowsSkipped?.({ count: keys.length, keys });
  }

  return { writeRows, close: () => pool.end(), stats: () => ({ ...counters }) };
}

/** undefined_table, invalid_schema_name: the table or its schema no longer exists. */
function isTableGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '42P01' || code === '3F000';
}

/** unique_violation (on a catalog index), duplicate_schema, duplicate_table: another session created it first. */
function isConcurrentCreate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === '42P06' || code === '42P07';
}

/** Without PostgreSQL's DETAIL: for a CHECK it repeats every value of the row, which the bad row's payload holds already. */
function refusalReason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return `PostgreSQL refused the row (SQLSTATE ${code ?? '?'}): ${message ?? String(error)}`;
}
