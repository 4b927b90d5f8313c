import pg from 'pg';
import type { LakeRow } from '../core/lake-row';
import type { RowSink } from '../delivery/sink';
import { checkTable, createTableSql, PG_COLUMN_TYPES, qualified, type PgTable } from './postgres-schema';

export interface PostgresSinkOptions extends Partial<PgTable> {
  connectionString: string;
  /** Rows per INSERT statement; a flush of N rows takes ceil(N / batchSize) statements. Default 500. */
  batchSize?: number;
  /** Connections in the pool. Default 2: the stream, not the database, absorbs spikes. */
  maxConnections?: number;
}

export interface PostgresSink extends RowSink {
  /** Statements and rows sent since start (for tests and stats). */
  stats(): { statements: number; rows: number; maxRowsPerStatement: number };
}

/**
 * Rows into one PostgreSQL table, created on start. Idempotent: `ON CONFLICT (event_id) DO
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
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 2 });
  const counters = { statements: 0, rows: 0, maxRowsPerStatement: 0 };
  try {
    for (const sql of createTableSql(table)) await pool.query(sql);
  } catch (error) {
    await pool.end();
    throw error;
  }

  async function writeRows(rows: readonly LakeRow[]): Promise<void> {
    if (rows.length === 0) return;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (let i = 0; i < rows.length; i += batchSize) {
        const chunk = rows.slice(i, i + batchSize);
        await client.query(insertSql(table, chunk.length), chunk.flatMap(values));
        counters.statements += 1;
        counters.rows += chunk.length;
        counters.maxRowsPerStatement = Math.max(counters.maxRowsPerStatement, chunk.length);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  return { writeRows, close: () => pool.end(), stats: () => ({ ...counters }) };
}

function insertSql(table: PgTable, rowCount: number): string {
  const names = PG_COLUMN_TYPES.map((c) => `"${c.name}"`).join(', ');
  const width = PG_COLUMN_TYPES.length;
  const tuples = Array.from({ length: rowCount }, (_, r) => `(${PG_COLUMN_TYPES.map((c, i) => `$${r * width + i + 1}::${c.pgType}`).join(', ')})`);
  return `INSERT INTO ${qualified(table)} (${names}) VALUES ${tuples.join(', ')} ON CONFLICT ("event_id") DO NOTHING`;
}

function values(row: LakeRow): unknown[] {
  return PG_COLUMN_TYPES.map(({ name, pgType }) => {
    const value = row[name as keyof LakeRow];
    if (value === null || value === undefined) return null;
    return pgType === 'jsonb' ? JSON.stringify(value) : value;
  });
}
