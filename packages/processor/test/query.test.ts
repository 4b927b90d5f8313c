import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords, openLake, runQuery } from '../src';
import { record, storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('DuckDB over the lake', () => {
  it('reads events with typed partition columns, JSON properties and timestamps', async () => {
    const lake = await dirs.make();
    const a = storedEvent({ app_id: 'shop', received_at: '2026-11-25T09:31:12.456Z' });
    const b = storedEvent({ app_id: 'blog', type: 'page', event: undefined, properties: undefined, received_at: '2026-11-26T23:00:00.000Z' });
    await deliverRecords('shardId-000000000000', [record(a), record(b)], createFolderSink(lake));

    const rows = await runQuery(
      lake,
      `SELECT event_id, app_id, event_date, hour, typeof(event_date) AS date_type, typeof(hour) AS hour_type,
              (properties->>'af_revenue')::DOUBLE AS revenue, received_at, seq
         FROM events ORDER BY received_at`,
    );
    expect(rows).toEqual([
      { event_id: a.event_id, app_id: 'shop', event_date: '2026-11-25', hour: 9, date_type: 'DATE', hour_type: 'INTEGER', revenue: 12.5, received_at: '2026-11-25T09:31:12.456Z', seq: 0 },
      { event_id: b.event_id, app_id: 'blog', event_date: '2026-11-26', hour: 23, date_type: 'DATE', hour_type: 'INTEGER', revenue: null, received_at: '2026-11-26T23:00:00.000Z', seq: 0 },
    ]);
  });

  it('reads client times in every valid RFC 3339 spelling, stored as the Parquet files store them (UTC, milliseconds)', async () => {
    const spellings = ['2026-11-26t10:00:00z', '2026-11-26T11:30:00.123456789+01:30', '2026-11-26T10:00:00Z', '2026-11-26T09:59:59.5-00:00'];
    const stored = ['2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.123Z', '2026-11-26T10:00:00.000Z', '2026-11-26T09:59:59.500Z'];
    for (const format of ['ndjson', 'parquet'] as const) {
      const lake = await dirs.make();
      const events = spellings.map((at, seq) => storedEvent({ seq, client_ts: at, sent_at: at }));
      const result = await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake), { format });
      expect(result).toMatchObject({ rowsDelivered: 4, badRows: 0 });
      // One lower-case `t`/`z` row made DuckDB's JSON reader fail every query reading the column.
      const rows = await runQuery(lake, 'SELECT client_ts, sent_at FROM events ORDER BY seq');
      expect(rows).toEqual(stored.map((at) => ({ client_ts: at, sent_at: at })));
    }
  });

  it('reads bad rows with their reason and partitions', async () => {
    const lake = await dirs.make();
    await deliverRecords('shardId-000000000000', [record('{oops'), record(storedEvent({ seq: -1 }))], createFolderSink(lake));
    const rows = await runQuery(lake, 'SELECT error_type, partition_key, event_date, reason FROM bad_rows ORDER BY error_type');
    expect(rows).toMatchObject([
      { error_type: 'parse', partition_key: 'dev-1', event_date: '2026-11-25' },
      { error_type: 'validation', partition_key: 'dev-1', event_date: '2026-11-25', reason: 'seq: expected at least 0' },
    ]);
  });

  it('has typed, empty views before any file exists, and sees files written later', async () => {
    const lake = await dirs.make();
    const opened = await openLake(lake);
    try {
      expect(await opened.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
      const types = await opened.query(
        "SELECT column_name, column_type FROM (DESCRIBE events) WHERE column_name IN ('event_date', 'hour', 'received_at') ORDER BY 1",
      );
      expect(types).toEqual([
        { column_name: 'event_date', column_type: 'DATE' },
        { column_name: 'hour', column_type: 'INTEGER' },
        { column_name: 'received_at', column_type: 'TIMESTAMP WITH TIME ZONE' },
      ]);
      expect(await opened.query('SELECT count(*) AS n FROM bad_rows')).toEqual([{ n: 0 }]);
      await deliverRecords('shardId-000000000000', [record(storedEvent())], createFolderSink(lake));
      expect(await opened.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 1 }]);
    } finally {
      opened.close();
    }
  });

  it('rejects bad SQL with DuckDB’s message', async () => {
    const lake = await dirs.make();
    await expect(runQuery(lake, 'SELECT nope FROM events')).rejects.toThrow(/nope/);
  });
});
