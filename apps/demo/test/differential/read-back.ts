import type { Lake } from '@eventline/processor';
import { LAKE_COLUMNS } from '@eventline/schemas';
import type pg from 'pg';
import { canonical, type Normalised } from './oracle';

export type ReadRow = Record<string, Normalised>;

const sqlText = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The lake's rows of `ids` through its DuckDB views (the processor's own reader), JSON columns as text. */
export async function readLake(lake: Lake, ids: readonly string[]): Promise<ReadRow[]> {
  const columns = LAKE_COLUMNS.map((c) => (c.type === 'json' ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"` : `"${c.name}"`));
  const rows = await lake.query(`SELECT ${columns.join(', ')} FROM events WHERE event_id IN (${ids.map(sqlText).join(', ')})`);
  return rows.map((row) => normalise(row as Record<string, unknown>));
}

/**
 * How many rows of the lake a query filtered on every column with Parquet statistics finds for
 * `row` (each should find exactly its own): min/max written wrongly would make a reader skip a
 * file that holds the row.
 */
export async function countFiltered(lake: Lake, row: ReadRow): Promise<number> {
  const eq = (column: string, type: string): string => {
    const value = row[column];
    if (value === null || value === undefined) return `"${column}" IS NULL`;
    return type === 'timestamp' ? `"${column}" = TIMESTAMPTZ ${sqlText(String(value))}` : type === 'string' ? `"${column}" = ${sqlText(String(value))}` : `"${column}" = ${String(value)}`;
  };
  const filters = ['event_id', 'schema_version', 'type', 'event', 'client_ts', 'sent_at', 'received_at'].map((name) => eq(name, LAKE_COLUMNS.find((c) => c.name === name)?.type ?? 'string'));
  const [result] = await lake.query(`SELECT count(*) AS n FROM events WHERE ${filters.join(' AND ')}`);
  return Number(result?.n);
}

/** PostgreSQL's rows of `ids`: times formatted in UTC, JSON as text, bigint as a number. */
export async function readPostgres(client: pg.Client, table: string, ids: readonly string[]): Promise<ReadRow[]> {
  const columns = LAKE_COLUMNS.map((c) => {
    if (c.type === 'timestamp') return `to_char("${c.name}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${c.name}"`;
    if (c.type === 'json') return `"${c.name}"::text AS "${c.name}"`;
    if (c.type === 'bigint') return `"${c.name}"::text AS "${c.name}"`;
    return `"${c.name}"`;
  });
  const { rows } = await client.query(`SELECT ${columns.join(', ')} FROM ${table} WHERE event_id = ANY($1::text[])`, [ids]);
  return rows.map((row: Record<string, unknown>) => {
    const out = normalise(row);
    for (const c of LAKE_COLUMNS) if (c.type === 'bigint' && typeof row[c.name] === 'string') out[c.name] = Number(row[c.name]);
    return out;
  });
}

/** JSON text → canonical JSON (parse, sorted keys); everything else as read. */
function normalise(row: Record<string, unknown>): ReadRow {
  const out: ReadRow = {};
  for (const c of LAKE_COLUMNS) {
    const value = row[c.name];
    out[c.name] = c.type === 'json' && typeof value === 'string' ? canonical(JSON.parse(value)) : ((value ?? null) as Normalised);
  }
  return out;
}
