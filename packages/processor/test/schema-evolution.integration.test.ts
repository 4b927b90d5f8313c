import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, KINESIS_ENGINES, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { LEGACY_FIRST_TOUCH } from '@eventline/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, runQuery, type ConsumerStats, type DeliveryOptions } from '../src';
import { consumeOnce } from './fixtures/consume-once';
import { storedEvent, storedEventV1 } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { previousReleaseTableSql, V2_COLUMNS } from './fixtures/previous-release';
import { tempDirs } from './fixtures/temp-dir';

const STREAM = 'events';
const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const postgres = postgresSuite();
const library = { name: 'eventline-sdk', version: '0.1.0' };

/** One record of the stream and the row it must become (the first_touch_* columns set; `legacy`: context.legacy_first_touch). */
interface Case {
  event: Record<string, unknown>;
  expected: { first_touch_source?: string; first_touch_medium?: string; first_touch_name?: string; first_touch_click_id?: string; first_touch_click_id_type?: string; legacy?: string };
}

/** Records as the previous ingest wrote them (envelope v1) and as the new one writes them (v2), on many devices (both shards). */
function streamCases(): Case[] {
  const v1 = [0, 1, 2, 3].map((i): Case => ({
    event: storedEventV1({ anonymous_id: `dev-v1-${i}`, seq: i, context: { library, first_touch: { source: 'google', medium: 'cpc', click_id: `g-${i}`, click_id_type: 'gclid' } } }),
    expected: { first_touch_source: 'google', first_touch_medium: 'cpc', first_touch_click_id: `g-${i}`, first_touch_click_id_type: 'gclid' },
  }));
  const unversioned = storedEventV1({ anonymous_id: 'dev-v1-unversioned', context: { library, first_touch: { source: 'bing' } } });
  delete unversioned.schema_version;
  const v2 = [0, 1, 2, 3].map((i): Case => ({
    event: storedEvent({ anonymous_id: `dev-v2-${i}`, seq: i, context: { library, first_touch: { source: 'news', name: 'winter' } } }),
    expected: { first_touch_source: 'news', first_touch_name: 'winter' },
  }));
  return [
    ...v1,
    { event: storedEventV1({ anonymous_id: 'dev-v1-misfit', context: { library, first_touch: 'google' } }), expected: { legacy: 'google' } },
    { event: unversioned, expected: { first_touch_source: 'bing' } },
    ...v2,
    { event: storedEvent({ anonymous_id: 'dev-v2-none', context: { library } }), expected: {} },
  ];
}

/** The row each case must become in the lake's `events` view and in PostgreSQL, ordered by event_id. */
function expectedRows(cases: Case[]): Record<string, unknown>[] {
  return cases
    .map(({ event, expected }) => ({
      event_id: event.event_id,
      schema_version: 2,
      first_touch_source: expected.first_touch_source ?? null,
      first_touch_medium: expected.first_touch_medium ?? null,
      first_touch_name: expected.first_touch_name ?? null,
      first_touch_click_id: expected.first_touch_click_id ?? null,
      first_touch_click_id_type: expected.first_touch_click_id_type ?? null,
      legacy: expected.legacy ?? null,
    }))
    .sort((a, b) => (String(a.event_id) < String(b.event_id) ? -1 : 1));
}

const SELECTED = `event_id, schema_version, first_touch_source, first_touch_medium, first_touch_name, first_touch_click_id, first_touch_click_id_type, context->>'${LEGACY_FIRST_TOUCH}' AS legacy`;

describe.each(KINESIS_ENGINES)('Schema evolution against %s: events of v1 and v2 in one stream land in one table', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  const cases = streamCases();

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: STREAM, shards: 2 }]);
    producer = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const entries = cases.map(({ event }) => ({ Data: Buffer.from(JSON.stringify(event)), PartitionKey: String(event.anonymous_id) }));
    const out = await producer.send(new PutRecordsCommand({ StreamName: STREAM, Records: entries }));
    expect(out.FailedRecordCount ?? 0).toBe(0);
    expect(new Set(out.Records?.map((r) => r.ShardId)).size).toBe(2);
  }, 60_000);

  afterAll(async () => {
    producer?.destroy();
    await kinesis?.stop();
  });

  /** Read the whole stream once into a fresh lake folder (own checkpoints and seen index). */
  async function consume(delivery: DeliveryOptions): Promise<{ lakeDir: string; stats: ConsumerStats }> {
    return consumeOnce({ endpoint: kinesis.endpoint, stream: STREAM, dir: await dirs.make(), count: cases.length, delivery });
  }

  it('NDJSON.gz and Parquet lakes and PostgreSQL (a table the previous release made) hold every row once, as v2, first_touch in its columns', async () => {
    const schema = postgres.schema(`eventline_evolution_${engine.replace('-', '_')}`);
    for (const sql of previousReleaseTableSql(schema, 'events')) await postgres.admin().query(sql);
    const added: string[][] = [];
    const rowSink = await createPostgresSink({ connectionString: postgres.url(), schema, onColumnsAdded: ({ columns }) => void added.push(columns) });
    expect(added).toEqual([V2_COLUMNS]);
    const expected = expectedRows(cases);
    try {
      for (const format of ['ndjson', 'parquet'] as const) {
        const { lakeDir, stats } = await consume({ format, rowSink });
        expect(stats).toMatchObject({ recordsRead: cases.length, rowsDelivered: cases.length, badRows: 0, duplicates: 0, errors: 0 });
        expect(await runQuery(lakeDir, `SELECT ${SELECTED} FROM events ORDER BY event_id`)).toEqual(expected);
        // The misfit's context holds nothing else: library went to its columns, first_touch to legacy_first_touch.
        expect(await runQuery(lakeDir, `SELECT json_keys(context) AS keys FROM events WHERE context IS NOT NULL`)).toEqual([{ keys: [LEGACY_FIRST_TOUCH] }]);
        expect(await runQuery(lakeDir, 'SELECT count(*) AS n FROM bad_rows')).toEqual([{ n: 0 }]);
      }
    } finally {
      await rowSink.close();
    }
    // Both runs wrote to PostgreSQL; the second one's rows were skipped (ON CONFLICT): each event once.
    const { rows } = await postgres.admin().query(`SELECT ${SELECTED} FROM "${schema}".events ORDER BY event_id COLLATE "C"`);
    expect(rows).toEqual(expected);
  }, 120_000);
});
