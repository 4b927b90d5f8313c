import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { toPlainRows, type Row } from './to-plain';

export interface GuardLimits {
  /** Interrupt the statement after this long. */
  timeoutMs: number;
  /** Return at most this many rows (the answer says when more existed). */
  maxRows: number;
  /** DuckDB `memory_limit` for the connection's database, e.g. '256MB'; a query needing more fails. */
  memoryLimit: string;
  /** DuckDB worker threads for the connection's database. */
  threads: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { timeoutMs: 5_000, maxRows: 1_000, memoryLimit: '256MB', threads: 2 };

export interface GuardedResult {
  rows: Row[];
  truncated: boolean;
}

/** Why an untrusted statement was refused: shown to the person who typed it. */
export class QueryRefusedError extends Error {
  constructor(
    readonly code: 'not_one_statement' | 'not_read_only' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'QueryRefusedError';
  }
}

/**
 * Lock a connection down for SQL typed by people: files outside `allowedDir` cannot be read or
 * written, no extension can be loaded, memory and threads are capped, and the settings cannot be
 * changed back.
 */
export async function sandbox(connection: DuckDBConnection, allowedDir: string, limits: Pick<GuardLimits, 'memoryLimit' | 'threads'>): Promise<void> {
  const dir = allowedDir.endsWith('/') ? allowedDir : `${allowedDir}/`;
  if (!/^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(limits.memoryLimit)) throw new Error(`memoryLimit must look like '256MB', got ${JSON.stringify(limits.memoryLimit)}`);
  if (!Number.isInteger(limits.threads) || limits.threads < 1) throw new Error(`threads must be a positive integer, got ${limits.threads}`);
  await connection.run(`SET memory_limit = '${limits.memoryLimit}'`);
  await connection.run(`SET threads = ${limits.threads}`);
  // No spilling to disk: past memory_limit a query fails rather than writing temp files.
  await connection.run("SET temp_directory = ''");
  await connection.run(`SET allowed_directories = ['${dir.replace(/'/g, "''")}']`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET lock_configuration = true');
}

/** Run exactly one read-only statement, within a time limit, returning at most `maxRows` rows. */
export async function runGuarded(connection: DuckDBConnection, sql: string, limits: GuardLimits): Promise<GuardedResult> {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) {
    throw new QueryRefusedError('not_one_statement', `expected exactly one SQL statement, got ${statements.count}`);
  }
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    throw new QueryRefusedError('not_read_only', 'only read-only queries (SELECT, WITH … SELECT, FROM …) are allowed');
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, limits.timeoutMs);
  try {
    // Streamed: DuckDB produces chunks only as they are read, so a huge result stops after
    // maxRows + 1 rows instead of being materialised whole (runAndReadUntil materialises it).
    const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
    const rows = toPlainRows(reader);
    return { rows: rows.slice(0, limits.maxRows), truncated: rows.length > limits.maxRows };
  } catch (error) {
    if (timedOut) throw new QueryRefusedError('timeout', `query stopped after the ${limits.timeoutMs} ms limit`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
