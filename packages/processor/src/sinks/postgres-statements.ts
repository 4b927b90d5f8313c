import { parseDateTime } from '@eventline/schemas';
import type { LakeRow } from '../core/lake-row';
import { KEY_SQL, PG_COLUMN_TYPES, qualified, type PgTable } from './postgres-schema';

/**
 * Default cap on the parameter bytes of one INSERT (PG_BATCH_SIZE caps its rows). Rows reach about
 * 1,000 KiB each, so 500 of them made one ~500 MB statement: it outlasted the statement timeout on
 * every retry (the shard stalled), or the server hung up while it was still being sent. The client
 * holds a statement's bytes in memory while it sends them, and the server took about 13 MB/s of such
 * rows on the test machine (slower per MB above 16 MB): 16 MiB is about a second, far inside the
 * statement timeout, and still 500 rows of up to ~33 KB (see the README).
 */
export const PG_MAX_STATEMENT_BYTES = 16 * 1024 * 1024;

/** A parameter as sent: JSON as its text, a timestamp as ISO 8601 in UTC. */
type Param = string | number | boolean | null;

/** One INSERT's rows and its parameters (the rows' values, in column order). */
export interface Statement {
  rows: LakeRow[];
  params: Param[];
  bytes: number;
}

/**
 * Split rows into INSERTs of at most `maxRows` rows and `maxBytes` parameter bytes; a row larger
 * than `maxBytes` alone goes in a statement of its own.
 */
export function splitStatements(rows: readonly LakeRow[], maxRows: number, maxBytes: number): Statement[] {
  const out: Statement[] = [];
  let current: Statement | undefined;
  for (const row of rows) {
    const params = values(row);
    const bytes = paramBytes(params);
    if (current === undefined || current.rows.length >= maxRows || (current.bytes + bytes > maxBytes && current.rows.length > 0)) {
      current = { rows: [], params: [], bytes: 0 };
      out.push(current);
    }
    current.rows.push(row);
    for (const p of params) current.params.push(p);
    current.bytes += bytes;
  }
  return out;
}

/** The bytes of a statement's part `from`..`to` (its rows), to halve a statement while keeping its parameters. */
export function sliceStatement(statement: Statement, from: number, to: number): Statement {
  const width = PG_COLUMN_TYPES.length;
  const params = statement.params.slice(from * width, to * width);
  return { rows: statement.rows.slice(from, to), params, bytes: paramBytes(params) };
}

/** RETURNING the key of each row inserted: the rows it does not return were skipped by ON CONFLICT. */
export function insertSql(table: PgTable, rowCount: number): string {
  const names = PG_COLUMN_TYPES.map((c) => `"${c.name}"`).join(', ');
  const width = PG_COLUMN_TYPES.length;
  const tuples = Array.from({ length: rowCount }, (_, r) => `(${PG_COLUMN_TYPES.map((c, i) => `$${r * width + i + 1}::${c.pgType}`).join(', ')})`);
  return `INSERT INTO ${qualified(table)} (${names}) VALUES ${tuples.join(', ')} ON CONFLICT (${KEY_SQL}) DO NOTHING RETURNING ${KEY_SQL}`;
}

function values(row: LakeRow): Param[] {
  return PG_COLUMN_TYPES.map(({ name, pgType }) => {
    const value = row[name as keyof LakeRow];
    if (value === null || value === undefined) return null;
    if (pgType === 'jsonb') return JSON.stringify(value);
    // In UTC: RFC 3339 allows offsets up to ±23:59, PostgreSQL only up to ±15:59.
    return pgType === 'timestamptz' ? new Date(parseDateTime(value as string)).toISOString() : (value as string | number | boolean);
  });
}

/** As sent: each parameter as text (UTF-8) behind a 4-byte length. */
function paramBytes(params: readonly Param[]): number {
  let bytes = 0;
  for (const p of params) bytes += 4 + (typeof p === 'string' ? Buffer.byteLength(p) : p === null ? 0 : String(p).length);
  return bytes;
}
