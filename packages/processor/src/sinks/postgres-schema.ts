import { LAKE_COLUMNS, type ColumnType } from '@eventline/schemas';

const PG_TYPES: Record<ColumnType, string> = {
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

export class PostgresConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresConfigError';
  }
}

export function checkTable(t: PgTable): PgTable {
  for (const name of [t.schema, t.table]) {
    if (!NAME.test(name)) throw new PostgresConfigError(`"${name}" is not a plain lower-case PostgreSQL name`);
  }
  return t;
}

export function qualified(t: PgTable): string {
  return `"${t.schema}"."${t.table}"`;
}

/** The table from the catalog: typed columns, JSON as jsonb, event_id the primary key. */
export function createTableSql(t: PgTable): string[] {
  const columns = LAKE_COLUMNS.map((c) => `  "${c.name}" ${PG_TYPES[c.type]}${c.name === 'event_id' ? ' PRIMARY KEY' : ''}`);
  return [
    `CREATE SCHEMA IF NOT EXISTS "${t.schema}"`,
    `CREATE TABLE IF NOT EXISTS ${qualified(t)} (\n${columns.join(',\n')},\n  "loaded_at" timestamptz NOT NULL DEFAULT now()\n)`,
    `CREATE INDEX IF NOT EXISTS "${t.table}_app_received_idx" ON ${qualified(t)} ("app_id", "received_at")`,
  ];
}

export const PG_COLUMN_TYPES = LAKE_COLUMNS.map((c) => ({ name: c.name, pgType: PG_TYPES[c.type] }));
