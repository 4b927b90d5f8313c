import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { LAKE_COLUMNS } from '@eventline/schemas';
import { createFolderSink, createPostgresSink, PostgresConfigError, createS3Sink, decodeNdjsonGzip, deliverPrepared, deliverRecords, prepareRecords, runQuery, type PostgresSink } from '../src';
import { record, storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { s3Suite } from './fixtures/s3-suite';
import { tempDirs } from './fixtures/temp-dir';
import { valueOf } from './fixtures/metric-values';
import { readDeliveryEnv } from '../src/config-delivery';
import { createProcessorMetrics } from '../src/metrics/processor-metrics';
import { wireDelivery } from '../src/wiring';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('S3 sink against s3rver', () => {
  const suite = s3Suite();

  const keys = async (): Promise<string[]> =>
    ((await suite.client().send(new ListObjectsV2Command({ Bucket: 'lake' }))).Contents ?? []).map((o) => o.Key ?? '').sort();
  const get = async (key: string): Promise<Uint8Array> => (await suite.client().send(new GetObjectCommand({ Bucket: 'lake', Key: key }))).Body!.transformToByteArray();

  it('writes NDJSON.gz, Parquet and bad rows under the prefix; a replay replaces the same objects', async () => {
    const sink = createS3Sink({ client: suite.client(), bucket: 'lake', prefix: 'prod' });
    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2' })];
    const records = [...events.map((e) => record(e)), record('{nope')];
    const first = await deliverRecords('shardId-000000000000', records, sink, { format: 'parquet' });
    const again = await deliverRecords('shardId-000000000000', records, sink, { format: 'parquet' });
    expect(again.objectKeys).toEqual(first.objectKeys);
    const stored = await keys();
    expect(stored).toEqual(first.objectKeys.map((k) => `prod/${k}`).sort());
    expect(stored.map((k) => k.replace(/shardId.*\./, '*.'))).toEqual([
      'prod/bad_rows/error_type=parse/event_date=2026-11-25/*.gz',
      'prod/events/app_id=shop/event_date=2026-11-25/hour=09/*.parquet',
    ]);
    const badKey = stored[0]!;
    expect(decodeNdjsonGzip(await get(badKey))).toMatchObject([{ error_type: 'parse', payload: '{nope' }]);

    // Download the lake and query it: the bytes on S3 are the bytes written (no chunk framing).
    const local = await dirs.make();
    const folder = createFolderSink(local);
    for (const key of stored) await folder.write(key.slice('prod/'.length), await get(key));
    expect(await runQuery(local, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: 2, d: 2 }]);
    expect(await runQuery(local, 'SELECT count(*) AS n FROM bad_rows')).toEqual([{ n: 1 }]);
  });
});

describe('PostgreSQL sink', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_test');
  const sinks: PostgresSink[] = [];
  afterAll(async () => {
    for (const sink of sinks) await sink.close();
  });

  const open = async (batchSize?: number): Promise<PostgresSink> => {
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'events', ...(batchSize ? { batchSize } : {}) });
    sinks.push(sink);
    return sink;
  };

  it('creates the table on start with typed columns and jsonb properties', async () => {
    await open();
    await open(); // a second start finds the table there
    const { rows } = await postgres.admin().query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events'`,
      [schema],
    );
    const types = Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
    expect(types).toMatchObject({
      event_id: 'text',
      seq: 'bigint',
      received_at: 'timestamp with time zone',
      properties: 'jsonb',
      revenue: 'double precision',
      consent_ads: 'boolean',
      screen_width: 'integer',
    });
  });

  it('is idempotent on event_id: a replayed flush inserts nothing twice', async () => {
    const sink = await open();
    const events = [storedEvent({ seq: 3 }), storedEvent({ anonymous_id: 'dev-9' })];
    const records = events.map((e) => record(e));
    const lake = await dirs.make();
    await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { rowSink: sink });
    await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { rowSink: sink });
    const { rows } = await postgres.admin().query<{ event_id: string; seq: string; cur: string; received_at: Date }>(
      `SELECT event_id, seq, properties->>'af_currency' AS cur, received_at FROM "${schema}".events WHERE event_id = ANY($1) ORDER BY seq DESC`,
      [events.map((e) => e.event_id)],
    );
    expect(rows.map((r) => [r.event_id, Number(r.seq), r.cur, r.received_at.toISOString()])).toEqual([
      [events[0]!.event_id, 3, 'EUR', '2026-11-25T09:31:12.456Z'],
      [events[1]!.event_id, 0, 'EUR', '2026-11-25T09:31:12.456Z'],
    ]);
  });

  it('counts and logs the rows ON CONFLICT skipped (a replayed flush), in the metric and one log line per write', async () => {
    const problems: string[] = [];
    const env = readDeliveryEnv({ DATABASE_URL: postgres.url(), PG_SCHEMA: schema, PG_TABLE: 'skips' }, problems);
    expect(problems).toEqual([]);
    const metrics = createProcessorMetrics({ defaultMetrics: false });
    const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const wired = await wireDelivery(env, await dirs.make(), 'us-east-1', (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }), {
      postgresRowsSkipped: (count) => metrics.postgresRowsSkipped(count),
    });
    try {
      const kept = storedEvent({ anonymous_id: 'dev-5' });
      const events = [storedEvent(), kept];
      await deliverRecords('shardId-000000000009', events.map((e) => record(e)), wired.sink, wired.delivery);
      expect(logs).toEqual([]);
      expect(await valueOf(metrics.registry, 'eventline_processor_postgres_rows_skipped_total')).toBe(0);
      // The same flush again (a replay after a crash) plus one new row: two rows skipped, one inserted.
      const fresh = storedEvent({ anonymous_id: 'dev-6' });
      await deliverRecords('shardId-000000000009', [...events, fresh].map((e) => record(e)), wired.sink, wired.delivery);
      expect(logs).toEqual([
        {
          level: 'info',
          msg: 'PostgreSQL skipped rows already in the table (ON CONFLICT DO NOTHING: a replay, or a copy of an event stored before)',
          fields: { table: `${schema}.skips`, count: 2, events: events.map((e) => `${e.app_id}/${e.event_id}`) },
        },
      ]);
      expect(await valueOf(metrics.registry, 'eventline_processor_postgres_rows_skipped_total')).toBe(2);
      const { rows } = await postgres.admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".skips`);
      expect(Number(rows[0]?.n)).toBe(3);
    } finally {
      await wired.close();
    }
  });

  it('counts skips only for committed writes: the isolating retry after a refused row counts each skipped row once', async () => {
    const skips: { count: number; keys: string[] }[] = [];
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'skips_refusing', batchSize: 2, onRowsSkipped: (s) => void skips.push(s) });
    sinks.push(sink);
    await postgres.admin().query(`ALTER TABLE "${schema}".skips_refusing ADD CONSTRAINT small_seq CHECK (seq < 1000)`);
    const stored = storedEvent({ seq: 1 });
    await deliverRecords('shardId-000000000010', [record(stored)], createFolderSink(await dirs.make()), { rowSink: sink });
    // Statement 1: `stored` again (skipped) and a new row; statement 2: a refused row. The first
    // transaction fails after statement 1 skipped `stored`; only the isolating one, which commits, counts.
    const more = [record(stored), record(storedEvent({ seq: 2 })), record(storedEvent({ seq: 5000 }))];
    await deliverRecords('shardId-000000000010', more, createFolderSink(await dirs.make()), { rowSink: sink });
    expect(skips).toEqual([{ count: 1, keys: [`${stored.app_id}/${stored.event_id}`] }]);
    expect(sink.stats().skipped).toBe(1);
  });

  it('stores every value the schema accepts, at its edges: far offsets, year 0001, 32-bit screens, 2^53-1 seq', async () => {
    const sink = await open();
    const edge = storedEvent({
      seq: Number.MAX_SAFE_INTEGER,
      client_ts: '2026-11-25T23:30:00.000-20:00', // PostgreSQL itself reads offsets only up to ±15:59
      sent_at: '0001-01-01T00:00:00+00:00',
      context: { library: { name: 'edge', version: '1' }, screen: { width: 2 ** 31 - 1, height: 0 } },
    });
    const lake = await dirs.make();
    await deliverRecords('shardId-000000000002', [record(edge)], createFolderSink(lake), { rowSink: sink });
    const { rows } = await postgres.admin().query<{ seq: string; client_ts: Date; sent_at: string; screen_width: number }>(
      `SELECT seq, client_ts, to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS sent_at, screen_width FROM "${schema}".events WHERE event_id = $1`,
      [edge.event_id],
    );
    expect(rows.map((r) => [r.seq, r.client_ts.toISOString(), r.sent_at, r.screen_width])).toEqual([[String(Number.MAX_SAFE_INTEGER), '2026-11-26T19:30:00.000Z', '0001-01-01', 2 ** 31 - 1]]);
  });

  it('keeps rows PostgreSQL refuses for their values as postgres bad rows, writes the others, and a replay rewrites the same files', async () => {
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'refusing', batchSize: 2 });
    sinks.push(sink);
    // A rule the schemas know nothing of, as a DBA might add one: without the fallback every retry fails alike.
    await postgres.admin().query(`ALTER TABLE "${schema}".refusing ADD CONSTRAINT small_seq CHECK (seq < 1000)`);
    const events = [1, 5000, 2, 7000].map((seq) => storedEvent({ seq }));
    const records = events.map((e) => record(e));
    const lake = await dirs.make();
    const first = await deliverRecords('shardId-000000000003', records, createFolderSink(lake), { rowSink: sink });
    expect(first).toMatchObject({ rowsDelivered: 2, badRows: 2 }); // each event counted once: the refused ones are in the lake, not in PostgreSQL
    expect(first.badRowTypes.get('postgres')).toBe(2);

    const { rows } = await postgres.admin().query<{ seq: string }>(`SELECT seq FROM "${schema}".refusing ORDER BY seq`);
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    expect((await runQuery(lake, 'SELECT seq FROM events ORDER BY seq')).map((r) => Number(r.seq))).toEqual([1, 2, 5000, 7000]);
    const bad = await runQuery(lake, 'SELECT error_type, reason, sequence_number, payload FROM bad_rows ORDER BY sequence_number');
    expect(bad.map((b) => [b.error_type, b.sequence_number, (JSON.parse(b.payload as string) as { event_id: string }).event_id])).toEqual([
      ['postgres', records[1]!.sequenceNumber, events[1]!.event_id],
      ['postgres', records[3]!.sequenceNumber, events[3]!.event_id],
    ]);
    expect(bad[0]!.reason).toMatch(/^PostgreSQL refused the row \(SQLSTATE 23514\): .*small_seq/);

    const replay = await deliverRecords('shardId-000000000003', records, createFolderSink(lake), { rowSink: sink });
    expect(replay.objectKeys.sort()).toEqual(first.objectKeys.sort());
    expect(await runQuery(lake, 'SELECT count(*) AS n FROM bad_rows')).toEqual([{ n: 2 }]);
  });

  it('names the refused rows\' file after a Lambda batch\'s first record, as the batch\'s other files (a retried batch rewrites it)', async () => {
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'refusing_lambda' });
    sinks.push(sink);
    await postgres.admin().query(`ALTER TABLE "${schema}".refusing_lambda ADD CONSTRAINT small_seq CHECK (seq < 1000)`);
    const records = [3, 4000].map((seq) => record(storedEvent({ seq })));
    const lake = await dirs.make();
    const options = { rowSink: sink };
    const result = await deliverPrepared('shardId-000000000004', prepareRecords(records, options), createFolderSink(lake), options, records[0]!.sequenceNumber);
    expect(result.objectKeys.filter((k) => k.startsWith('bad_rows/'))).toEqual([
      expect.stringMatching(new RegExp(`^bad_rows/error_type=postgres/event_date=2026-11-25/shardId-000000000004-${records[0]!.sequenceNumber}-row-sink\\.ndjson\\.gz$`)),
    ]);
  });

  it('writes a burst in bounded statements inside one transaction', async () => {
    const sink = await open(100);
    const burst = Array.from({ length: 1050 }, (_, i) => storedEvent({ seq: i, anonymous_id: `dev-${i % 50}` }));
    const lake = await dirs.make();
    await deliverRecords('shardId-000000000001', burst.map((e) => record(e)), createFolderSink(lake), { rowSink: sink });
    expect(sink.stats()).toMatchObject({ statements: 11, rows: 1050, maxRowsPerStatement: 100, skipped: 0 });
    const { rows } = await postgres.admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events WHERE event_id = ANY($1)`, [burst.map((e) => e.event_id)]);
    expect(Number(rows[0]?.n)).toBe(1050);
  });

  it('is idempotent on (app_id, event_id): two apps\' events with one event_id are both stored', async () => {
    const sink = await open();
    const shop = storedEvent({ app_id: 'shop', seq: 1 });
    const blog = { ...shop, app_id: 'blog', seq: 2 };
    const lake = await dirs.make();
    await deliverRecords('shardId-000000000006', [record(shop), record(blog)], createFolderSink(lake), { rowSink: sink });
    await deliverRecords('shardId-000000000007', [record({ ...blog, seq: 3 })], createFolderSink(lake), { rowSink: sink });
    const { rows } = await postgres.admin().query<{ app_id: string; seq: string }>(`SELECT app_id, seq FROM "${schema}".events WHERE event_id = $1 ORDER BY app_id`, [shop.event_id]);
    expect(rows.map((r) => [r.app_id, Number(r.seq)])).toEqual([
      ['blog', 2],
      ['shop', 1],
    ]);
  });

  it('refuses to start on a table an older release keyed on event_id alone, naming the ALTER TABLE to run; after it, starts', async () => {
    const admin = postgres.admin();
    const old = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key' });
    await old.close();
    // As releases before the (app_id, event_id) key made it.
    await admin.query(`ALTER TABLE "${schema}".old_key DROP CONSTRAINT old_key_pkey, ADD PRIMARY KEY (event_id)`);
    const refused = createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key' });
    const sql = `ALTER TABLE "${schema}"."old_key" DROP CONSTRAINT "old_key_pkey", ADD PRIMARY KEY ("app_id", "event_id");`;
    await expect(refused).rejects.toThrow(
      new PostgresConfigError(
        `"${schema}"."old_key" has PRIMARY KEY ("event_id"); the processor dedupes on (app_id, event_id) and needs PRIMARY KEY ("app_id", "event_id"). Run: ${sql} (or use another PG_TABLE)`,
      ),
    );
    await admin.query(sql);
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key' });
    sinks.push(sink);
    const event = storedEvent();
    await deliverRecords('shardId-000000000008', [record(event), record({ ...event, app_id: 'blog' })], createFolderSink(await dirs.make()), { rowSink: sink });
    const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".old_key WHERE event_id = $1`, [event.event_id]);
    expect(Number(rows[0]?.n)).toBe(2);

    // A table without any primary key: every INSERT's ON CONFLICT would fail (42P10); refused at start too.
    await admin.query(`ALTER TABLE "${schema}".old_key DROP CONSTRAINT old_key_pkey`);
    await expect(createPostgresSink({ connectionString: postgres.url(), schema, table: 'old_key' })).rejects.toThrow(
      `Run: ALTER TABLE "${schema}"."old_key" ADD PRIMARY KEY ("app_id", "event_id");`,
    );
  });

  it("completes a table an earlier release created without a catalog column (every INSERT failed with 42703), and refuses one whose column has another type", async () => {
    const admin = postgres.admin();
    // As an older release made it: the catalog without `currency` and without `revenue`.
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}".older (event_id text, app_id text, extra text, PRIMARY KEY (app_id, event_id))`);
    for (const column of LAKE_COLUMNS.filter((c) => !['event_id', 'app_id', 'currency', 'revenue'].includes(c.name))) {
      const type = { string: 'text', int: 'integer', bigint: 'bigint', double: 'double precision', boolean: 'boolean', timestamp: 'timestamptz', json: 'jsonb' }[column.type];
      await admin.query(`ALTER TABLE "${schema}".older ADD COLUMN "${column.name}" ${type}`);
    }
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'older' });
    sinks.push(sink);
    const event = storedEvent();
    await deliverRecords('shardId-000000000005', [record(event)], createFolderSink(await dirs.make()), { rowSink: sink });
    const { rows } = await admin.query<{ revenue: number; currency: string; extra: string | null }>(
      `SELECT revenue, currency, extra FROM "${schema}".older WHERE event_id = $1`,
      [event.event_id],
    );
    expect(rows).toEqual([{ revenue: 12.5, currency: 'EUR', extra: null }]);

    await admin.query(`CREATE TABLE "${schema}".mistyped (event_id text PRIMARY KEY, seq integer, currency varchar(3))`);
    await expect(createPostgresSink({ connectionString: postgres.url(), schema, table: 'mistyped' })).rejects.toThrow(
      new PostgresConfigError(
        `"${schema}"."mistyped" does not match the catalog: "seq" is integer, expected bigint; "currency" is character varying(3), expected text (alter or rename the column, or use another PG_TABLE)`,
      ),
    );
  });
});
