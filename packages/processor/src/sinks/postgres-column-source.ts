import type { PgTable } from './postgres-schema';

/** Runs one catalog query (a client's, or one in a transaction of its own). */
export type CatalogQuery = (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/** pg_trigger.tgtype bits (PostgreSQL's TRIGGER_TYPE_ROW | _BEFORE | _INSERT): a trigger that may set NEW's columns. */
const ROW_BEFORE_INSERT = 1 | 2 | 4;

/**
 * Whether the row itself may be what leaves `column` NULL, though the sink does not write it: a
 * generated column (computed from the row's values, e.g. `properties->>'tenant'`), or any column of
 * a table with an enabled BEFORE INSERT row trigger (which may set it from the row, `NEW.owner :=
 * NEW.user_id`). Then a 23502 on it is one row's refusal, isolated. Only a plain column of a table
 * without such a trigger refuses every row alike (the table is wrong, the flush fails). Which
 * trigger would set the column cannot be read from the catalog, so any such trigger counts.
 *
 * `relation` is where PostgreSQL refused the row (the error's schema and table: a partition when
 * the sink's table is partitioned). Asked only when a 23502 happens, on the connection at hand (an
 * isolating transaction holds one of the pool's few connections). A relation not found (dropped
 * meanwhile) proves nothing table-wide: the row's.
 */
export async function rowMayFillColumn(query: CatalogQuery, relation: PgTable, column: string): Promise<boolean> {
  const { rows } = await query(
    `SELECT
       EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = $3 AND NOT a.attisdropped AND a.attgenerated <> '') AS generated,
       EXISTS (SELECT 1 FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND t.tgenabled <> 'D' AND (t.tgtype & ${ROW_BEFORE_INSERT}) = ${ROW_BEFORE_INSERT}) AS filled_by_trigger
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [relation.schema, relation.table, column],
  );
  const [found] = rows as { generated: boolean; filled_by_trigger: boolean }[];
  return found === undefined || found.generated || found.filled_by_trigger;
}

/** The relation a PostgreSQL error names (schema and table fields), or `fallback` when it names none. */
export function refusedRelation(error: unknown, fallback: PgTable): PgTable {
  const { schema, table } = (error ?? {}) as { schema?: unknown; table?: unknown };
  return typeof schema === 'string' && typeof table === 'string' ? { schema, table } : fallback;
}
