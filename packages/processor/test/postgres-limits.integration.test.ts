import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, createPostgresSink, deliverRecords, PG_MAX_STATEMENT_BYTES, runQuery, type PostgresSink, type PostgresSinkOptions } from '../src';
import { record, storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();

describe('PostgreSQL sink at PostgreSQL’s limits', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_limits');
  const sinks: PostgresSink[] = [];
  afterAll(async () => {
    for (const sink of sinks) await sink.close();
    await dirs.cleanup();
  });
  const open = async (options: Partial<PostgresSinkOptions>): Promise<PostgresSink> => {
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, ...options });
    sinks.push(sink);
    return sink;
  };
  const pageView = (url: string) => storedEvent({ type: 'page', event: undefined, context: { library: { name: 'eventline-sdk', version: '0.1.0' }, page: { url } } });

  it('keeps a valid row over an index’s size limit (54000, a user’s btree on page_url) as a postgres bad row, and writes the others', async () => {
    // Before, only classes 22/23 were isolated: every retry of the flush failed alike and the shard stalled.
    const sink = await open({ table: 'indexed' });
    await postgres.admin().query(`CREATE INDEX indexed_page_url_idx ON "${schema}".indexed (page_url)`);
    // Random, so that PostgreSQL's compression of index entries cannot bring it under the limit.
    const long = `https://shop.example/p?q=${randomBytes(2048).toString('hex')}`.slice(0, 4096);
    const events = [pageView('https://shop.example/a'), pageView(long), pageView('https://shop.example/c')];
    const lake = await dirs.make();
    const result = await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake), { rowSink: sink });
    expect(result).toMatchObject({ rowsDelivered: 2, badRows: 1, badRowTypes: new Map([['postgres', 1]]) });
    const { rows } = await postgres.admin().query<{ event_id: string }>(`SELECT event_id FROM "${schema}".indexed ORDER BY event_id`);
    expect(rows.map((r) => r.event_id)).toEqual([events[0]!.event_id, events[2]!.event_id].sort());
    const bad = await runQuery(lake, 'SELECT reason FROM bad_rows');
    expect(bad.map((b) => b.reason)).toEqual([expect.stringMatching(/^PostgreSQL refused the row \(SQLSTATE 54000\): index row size \d+ exceeds btree/)]);
  });

  it('caps each INSERT by its parameter bytes, not only by rows: 24 rows of 1 MB go as 2 statements of at most 16 MiB', async () => {
    // Before, 500 such rows made one ~500 MB statement that outlasted the statement timeout on every retry.
    const sink = await open({ table: 'big_rows' });
    const big = 'x'.repeat(1_000_000);
    const events = Array.from({ length: 24 }, (_, i) => storedEvent({ seq: i, properties: { big } }));
    await deliverRecords('shardId-000000000001', events.map((e) => record(e)), createFolderSink(await dirs.make()), { rowSink: sink });
    const stats = sink.stats();
    expect(stats).toMatchObject({ statements: 2, rows: 24, maxRowsPerStatement: 16 });
    expect(stats.maxBytesPerStatement).toBeGreaterThan(16_000_000);
    expect(stats.maxBytesPerStatement).toBeLessThanOrEqual(PG_MAX_STATEMENT_BYTES);
    const { rows } = await postgres.admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".big_rows`);
    expect(Number(rows[0]?.n)).toBe(24);
  });

  it('sends a row larger than maxStatementBytes alone, and packs the others up to it', async () => {
    const sink = await open({ table: 'small_cap', maxStatementBytes: 40_000 });
    const sizes = [10_000, 10_000, 50_000, 10_000, 10_000, 10_000];
    const events = sizes.map((n, i) => storedEvent({ seq: i, properties: { pad: 'y'.repeat(n) } }));
    await deliverRecords('shardId-000000000002', events.map((e) => record(e)), createFolderSink(await dirs.make()), { rowSink: sink });
    // [10k, 10k] [50k alone] [10k, 10k, 10k]: each row's other values add about a kilobyte.
    expect(sink.stats()).toMatchObject({ statements: 3, rows: 6, maxRowsPerStatement: 3 });
  });

  it('gives a 63-character PG_TABLE its (app_id, received_at) index, and keeps the index names tables of 47–62 characters had', async () => {
    // "<table>_app_received_idx" cut to 63 characters is a 63-character table's own name: the start
    // found "the index" (the table) and never made it.
    for (const table of ['t'.repeat(63), 'u'.repeat(55), 'events_short']) {
      await open({ table });
      const { rows } = await postgres.admin().query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexdef LIKE '%(app_id, received_at)'`,
        [schema, table],
      );
      const expected: unknown = table.length === 63 ? expect.stringMatching(/^t{50}_[0-9a-f]{8}_idx$/) : `${table}_app_received_idx`.slice(0, 63);
      expect(rows.map((r) => r.indexname), table).toEqual([expected]);
      await open({ table }); // a second start finds it and makes no other
      const again = await postgres.admin().query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`, [schema, table]);
      expect(again.rowCount, table).toBe(2); // the primary key's and this one
    }
  });
});
