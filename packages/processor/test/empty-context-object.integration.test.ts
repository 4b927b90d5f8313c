import { afterAll, describe, expect, it } from 'vitest';
import { checkPiiPolicy, createFolderSink, createPostgresSink, deliverRecords, processRecords, runQuery } from '../src';
import { record, storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const library = { name: 'eventline-sdk', version: '0.1.0' };
/** Every context object that has columns of its own and may be empty (library and screen have required fields), sent empty. */
const EMPTY = { consent: {}, page: {}, campaign: {}, first_touch: {} };

describe('an empty context object that has columns ({}), which left no trace in the lake', () => {
  it('is kept in context as {}; one whose keys all went to columns is not (nothing stored twice)', () => {
    const { rows, badRows } = processRecords([
      record(storedEvent({ anonymous_id: 'empty', context: { library, ...EMPTY } })),
      record(storedEvent({ anonymous_id: 'full', context: { library, consent: { analytics: true }, page: { url: 'https://shop.example/' } } })),
    ]);
    expect(badRows).toEqual([]);
    expect(rows.map((r) => r.context)).toEqual([EMPTY, undefined]);
    expect([rows[1]?.consent_analytics, rows[1]?.page_url]).toEqual([true, 'https://shop.example/']);
  });

  it('left empty by the PII policy, it is kept as {} too (the field was sent, and dropped)', () => {
    const pii = checkPiiPolicy({ hash: [], drop: ['context.campaign.click_id'] });
    const { rows } = processRecords([record(storedEvent({ context: { library, campaign: { click_id: 'g-1' } } }))], { pii });
    expect([rows[0]?.click_id, rows[0]?.context]).toEqual([undefined, { campaign: {} }]);
  });

  describe('in every store', () => {
    const postgres = postgresSuite();

    it('NDJSON.gz and Parquet (read through the DuckDB view) and PostgreSQL hold the same context', async () => {
      const schema = postgres.schema('eventline_empty_context');
      const rowSink = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'events' });
      const events = [storedEvent({ anonymous_id: 'empty', context: { library, ...EMPTY } }), storedEvent({ anonymous_id: 'one', context: { library, consent: {} } })];
      const expected = [
        { anonymous_id: 'empty', context: EMPTY, consent_analytics: null, page_url: null },
        { anonymous_id: 'one', context: { consent: {} }, consent_analytics: null, page_url: null },
      ];
      try {
        for (const format of ['ndjson', 'parquet'] as const) {
          const lake = await dirs.make();
          const result = await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake), { format, rowSink });
          expect(result.badRowTypes.size).toBe(0);
          const rows = await runQuery(lake, 'SELECT anonymous_id, context, consent_analytics, page_url FROM events ORDER BY anonymous_id');
          expect(rows.map((r) => ({ ...r, context: typeof r.context === 'string' ? (JSON.parse(r.context) as unknown) : r.context }))).toEqual(expected);
          // By value, as the README says JSON columns are compared.
          expect(await runQuery(lake, `SELECT count(*) AS n FROM events WHERE json_extract(context, '$.consent') = '{}'::JSON`)).toEqual([{ n: 2 }]);
        }
      } finally {
        await rowSink.close();
      }
      const { rows } = await postgres.admin().query(`SELECT anonymous_id, context, consent_analytics, page_url FROM "${schema}".events ORDER BY anonymous_id COLLATE "C"`);
      expect(rows).toEqual(expected);
    }, 60_000);
  });
});
