import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresSink, PostgresConfigError, PostgresTableBusyError, type LockRetry } from '../src';
import { postgresSuite } from './fixtures/postgres-suite';
import { previousReleaseTableSql, V2_COLUMNS } from './fixtures/previous-release';

describe('PostgreSQL sink start-up adding columns to a table others use', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_lock');

  async function previousTable(table: string): Promise<void> {
    for (const sql of previousReleaseTableSql(schema, table)) await postgres.admin().query(sql);
  }

  async function hasV2Columns(table: string): Promise<boolean> {
    const { rows } = await postgres.admin().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = ANY($3)`,
      [schema, table, V2_COLUMNS],
    );
    return rows[0]?.n === V2_COLUMNS.length;
  }

  /** Another connection with `BEGIN; SELECT … FROM table` open: it holds ACCESS SHARE until ended. */
  async function openReader(table: string): Promise<pg.Client> {
    const reader = new pg.Client({ connectionString: postgres.url() });
    await reader.connect();
    await reader.query('BEGIN');
    await reader.query(`SELECT count(*) FROM "${schema}"."${table}"`);
    return reader;
  }

  const alter = (table: string): string =>
    `ALTER TABLE "${schema}"."${table}" ${V2_COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS "${c}" text`).join(', ')};`;

  it('waits out a reader holding the table: retries while it is open, then adds the columns once it ends', async () => {
    await previousTable('read_open');
    const reader = await openReader('read_open');
    const retries: LockRetry[] = [];
    let retried: () => void = () => undefined;
    const firstRetry = new Promise<void>((resolve) => (retried = resolve));
    const added: string[][] = [];
    const starting = createPostgresSink({
      connectionString: postgres.url(),
      schema,
      table: 'read_open',
      lockTimeoutMs: 100,
      onLockRetry: (retry) => {
        retries.push(retry);
        retried();
      },
      onColumnsAdded: ({ columns }) => void added.push(columns),
    });
    let started = false;
    void starting.then(() => (started = true), () => undefined);
    try {
      await firstRetry;
      // The reader is still open: the start has not finished, and the table still lacks the columns.
      expect(started).toBe(false);
      expect(await hasV2Columns('read_open')).toBe(false);
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    const sink = await starting;
    await sink.close();
    expect(retries[0]).toMatchObject({ table: `"${schema}"."read_open"`, attempt: 1 });
    expect(added).toEqual([V2_COLUMNS]);
    expect(await hasV2Columns('read_open')).toBe(true);
  });

  it('fails clearly once a reader outstays the budget, naming the columns and the ALTER to run; the table is unchanged', async () => {
    await previousTable('read_long');
    const reader = await openReader('read_long');
    const retries: LockRetry[] = [];
    try {
      const failure = await createPostgresSink({
        connectionString: postgres.url(),
        schema,
        table: 'read_long',
        lockTimeoutMs: 50,
        statementTimeoutMs: 400,
        onLockRetry: (retry) => void retries.push(retry),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(PostgresTableBusyError);
      const message = (failure as Error).message;
      expect(message).toContain(`"${schema}"."read_long" lacks the catalog columns ${V2_COLUMNS.join(', ')}`);
      expect(message).toContain('another transaction held the table');
      expect(message).toContain(`run: ${alter('read_long')}`);
      expect(retries.length).toBeGreaterThan(0);
      expect(await hasV2Columns('read_long')).toBe(false);
      // The operator's way out works as written.
      await reader.query('COMMIT');
      await postgres.admin().query(alter('read_long'));
      expect(await hasV2Columns('read_long')).toBe(true);
    } finally {
      await reader.end();
    }
  });

  it('a statement timeout shorter than the default lock timeout still ends in lock retries and the clear error, not a cancelled statement', async () => {
    await previousTable('short_statement');
    const reader = await openReader('short_statement');
    const retries: LockRetry[] = [];
    try {
      // No lockTimeoutMs: the 2 s default is capped at a quarter of these 600 ms.
      const failure = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'short_statement', statementTimeoutMs: 600, onLockRetry: (retry) => void retries.push(retry) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(PostgresTableBusyError);
      expect((failure as Error).message).toContain(`run: ${alter('short_statement')}`);
      expect(retries.length).toBeGreaterThan(0);
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
  });

  it('a role with only SELECT and INSERT on a previous table: a configuration error with the ALTER for the owner', async () => {
    const admin = postgres.admin();
    const { rows } = await admin.query<{ may: boolean }>(`SELECT rolsuper OR rolcreaterole AS may FROM pg_roles WHERE rolname = current_user`);
    // The servers the tests use (devstack's embedded one, CI's local one) connect as a user that may create roles.
    expect(rows[0]?.may).toBe(true);
    await previousTable('not_owner');
    const role = `eventline_writer_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    try {
      await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
      await admin.query(`GRANT SELECT, INSERT ON "${schema}"."not_owner" TO "${role}"`);
      const url = new URL(postgres.url());
      url.username = role;
      url.password = password;
      const failure = await createPostgresSink({ connectionString: url.toString(), schema, table: 'not_owner' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(PostgresConfigError);
      const message = (failure as Error).message;
      expect(message).toContain(`"${schema}"."not_owner" lacks the catalog columns ${V2_COLUMNS.join(', ')}, and this role may not add them`);
      expect(message).toContain(`Have the table's owner run: ${alter('not_owner')}`);
      expect(await hasV2Columns('not_owner')).toBe(false);
      // With UPDATE too the role may take the lock; the ALTER itself is the owner's, and says so the same way.
      await admin.query(`GRANT UPDATE ON "${schema}"."not_owner" TO "${role}"`);
      const again = await createPostgresSink({ connectionString: url.toString(), schema, table: 'not_owner' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(again).toBeInstanceOf(PostgresConfigError);
      expect((again as Error).message).toContain('must be owner of table not_owner');
      expect((again as Error).message).toContain(`Have the table's owner run: ${alter('not_owner')}`);
      expect(await hasV2Columns('not_owner')).toBe(false);
      // Once the owner ran it, the same role starts: nothing to add, so no lock and no ALTER.
      await admin.query(alter('not_owner'));
      const sink = await createPostgresSink({ connectionString: url.toString(), schema, table: 'not_owner' });
      await sink.close();
    } finally {
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.query(`DROP ROLE "${role}"`);
    }
  });
});
