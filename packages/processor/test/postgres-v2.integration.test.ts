import { LEGACY_FIRST_TOUCH } from '@eventline/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, createPostgresSink, deliverRecords, PostgresConfigError } from '../src';
import { readDeliveryEnv } from '../src/config-delivery';
import { wireDelivery } from '../src/wiring';
import { record, storedEvent, storedEventV1 } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { PG_COLUMN_TYPES } from '../src/sinks/postgres-schema';
import { PREVIOUS_TABLE_COLUMNS, previousReleaseTableSql, V2_COLUMNS } from './fixtures/previous-release';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const library = { name: 'eventline-sdk', version: '0.1.0' };

describe('PostgreSQL sink on a table the release before envelope v2 created', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_v2');

  async function previousTable(table: string): Promise<void> {
    for (const sql of previousReleaseTableSql(schema, table)) await postgres.admin().query(sql);
  }

  async function columnsOf(table: string): Promise<{ name: string; nullable: string }[]> {
    const { rows } = await postgres.admin().query<{ name: string; nullable: string }>(
      `SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    );
    return rows;
  }

  it('lacks exactly the seven first_touch_* columns (the frozen fixture is today\'s catalog before them)', () => {
    expect(V2_COLUMNS).toEqual(['first_touch_source', 'first_touch_medium', 'first_touch_name', 'first_touch_term', 'first_touch_content', 'first_touch_click_id', 'first_touch_click_id_type']);
    expect(PREVIOUS_TABLE_COLUMNS).toHaveLength(45);
    expect([...PREVIOUS_TABLE_COLUMNS, ...PG_COLUMN_TYPES.filter((c) => V2_COLUMNS.includes(c.name))]).toEqual(PG_COLUMN_TYPES);
  });

  it('adds the missing columns on start (nullable, logged in one line), then stores v1 and v2 events with them filled', async () => {
    await previousTable('previous');
    const admin = postgres.admin();
    // A row the previous release wrote: it keeps its values, NULL in the new columns.
    await admin.query(`INSERT INTO "${schema}".previous (event_id, app_id, schema_version, anonymous_id) VALUES ('old-1', 'shop', 1, 'dev-old')`);
    const problems: string[] = [];
    const env = readDeliveryEnv({ DATABASE_URL: postgres.url(), PG_SCHEMA: schema, PG_TABLE: 'previous' }, problems);
    expect(problems).toEqual([]);
    const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const log = (level: string, msg: string, fields?: Record<string, unknown>): void => void logs.push({ level, msg, ...(fields ? { fields } : {}) });
    const wired = await wireDelivery(env, await dirs.make(), 'us-east-1', log);
    const v1 = storedEventV1({ anonymous_id: 'dev-v1', context: { library, first_touch: { source: 'google', medium: 'cpc', click_id: 'g-1', click_id_type: 'gclid' } } });
    const misfit = storedEventV1({ anonymous_id: 'dev-misfit', context: { library, first_touch: 'google' } });
    const v2 = storedEvent({ anonymous_id: 'dev-v2', context: { library, first_touch: { source: 'news', name: 'winter', term: 't', content: 'c' } } });
    try {
      expect(logs).toEqual([
        {
          level: 'info',
          msg: 'added the catalog columns the PostgreSQL table lacked (nullable; older rows hold NULL there)',
          fields: { table: `"${schema}"."previous"`, columns: V2_COLUMNS },
        },
      ]);
      const result = await deliverRecords('shardId-000000000000', [v1, misfit, v2].map((e) => record(e)), wired.sink, wired.delivery);
      expect(result.badRowTypes.size).toBe(0);
    } finally {
      await wired.close();
    }
    const columns = await columnsOf('previous');
    expect(columns.filter((c) => V2_COLUMNS.includes(c.name))).toEqual(V2_COLUMNS.map((name) => ({ name, nullable: 'YES' })));
    const { rows } = await admin.query(
      `SELECT anonymous_id, schema_version, ${V2_COLUMNS.join(', ')}, context FROM "${schema}".previous ORDER BY anonymous_id`,
    );
    const none = Object.fromEntries(V2_COLUMNS.map((c) => [c, null]));
    expect(rows).toEqual([
      { ...none, anonymous_id: 'dev-misfit', schema_version: 2, context: { [LEGACY_FIRST_TOUCH]: 'google' } },
      { ...none, anonymous_id: 'dev-old', schema_version: 1, context: null },
      { ...none, anonymous_id: 'dev-v1', schema_version: 2, first_touch_source: 'google', first_touch_medium: 'cpc', first_touch_click_id: 'g-1', first_touch_click_id_type: 'gclid', context: null },
      { ...none, anonymous_id: 'dev-v2', schema_version: 2, first_touch_source: 'news', first_touch_name: 'winter', first_touch_term: 't', first_touch_content: 'c', context: null },
    ]);

    // The next start finds the table complete: nothing to add, nothing logged.
    logs.length = 0;
    const again = await wireDelivery(env, await dirs.make(), 'us-east-1', log);
    await again.close();
    expect(logs).toEqual([]);
  });

  it('processors starting together on a previous table: one adds the columns and says so, the others find them', async () => {
    await previousTable('together');
    const reports: string[][] = [];
    const sinks = await Promise.all(
      [1, 2, 3].map(() => createPostgresSink({ connectionString: postgres.url(), schema, table: 'together', onColumnsAdded: ({ columns }) => void reports.push(columns) })),
    );
    for (const sink of sinks) await sink.close();
    expect(reports).toEqual([V2_COLUMNS]);
    expect((await columnsOf('together')).map((c) => c.name)).toEqual([...PREVIOUS_TABLE_COLUMNS.map((c) => c.name), 'loaded_at', ...V2_COLUMNS]);
  });

  it('still refuses a previous table keyed on event_id alone, with the exact ALTER, and adds nothing to it', async () => {
    await previousTable('old_key');
    await postgres.admin().query(`ALTER TABLE "${schema}".old_key DROP CONSTRAINT old_key_pkey, ADD PRIMARY KEY (event_id)`);
    const reports: string[][] = [];
    const sql = `ALTER TABLE "${schema}"."old_key" DROP CONSTRAINT "old_key_pkey", ADD PRIMARY KEY ("app_id", "event_id");`;
    await expect(createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key', onColumnsAdded: ({ columns }) => void reports.push(columns) })).rejects.toThrow(
      new PostgresConfigError(
        `"${schema}"."old_key" has PRIMARY KEY ("event_id"); the processor dedupes on (app_id, event_id) and needs PRIMARY KEY ("app_id", "event_id"). Run: ${sql} (or use another PG_TABLE)`,
      ),
    );
    // The start-up transaction rolled back: the table is as the operator left it.
    expect(reports).toEqual([]);
    expect((await columnsOf('old_key')).map((c) => c.name).filter((c) => V2_COLUMNS.includes(c))).toEqual([]);
    await postgres.admin().query(sql);
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key', onColumnsAdded: ({ columns }) => void reports.push(columns) });
    await sink.close();
    expect(reports).toEqual([V2_COLUMNS]);
    // The lake folder is not part of this test; the sink alone stores a row with the new columns.
    const event = storedEvent({ context: { library, first_touch: { source: 'x' } } });
    const again = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key' });
    try {
      await deliverRecords('shardId-000000000001', [record(event)], createFolderSink(await dirs.make()), { rowSink: again });
    } finally {
      await again.close();
    }
    const { rows } = await postgres.admin().query(`SELECT first_touch_source FROM "${schema}".old_key WHERE event_id = $1`, [event.event_id]);
    expect(rows).toEqual([{ first_touch_source: 'x' }]);
  });
});
