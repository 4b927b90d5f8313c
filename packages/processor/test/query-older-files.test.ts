import { parquetWriteBuffer } from 'hyparquet-writer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords, runQuery } from '../src';
import { PARQUET_COLUMNS } from '../src/delivery/parquet';
import { record, storedEvent, storedEventV1, uuidV7 } from './fixtures/events';
import { PREVIOUS_LAKE_COLUMNS } from './fixtures/previous-release';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** Columns an older release's files lack: the catalog grew since they were written. */
const ADDED_SINCE = new Set(['revenue', 'currency']);

/** A Parquet file as a release whose catalog had no `revenue` / `currency` columns wrote it. */
async function writeOlderFile(lake: string, eventId: string): Promise<void> {
  const values: Record<string, unknown> = {
    event_id: eventId,
    schema_version: 1,
    type: 'track',
    event: 'af_purchase',
    anonymous_id: 'dev-old',
    seq: 0n,
    client_ts: Date.parse('2026-11-24T08:00:00.000Z'),
    received_at: Date.parse('2026-11-24T08:00:01.000Z'),
    app_id: 'shop',
    properties: { af_revenue: 3 },
  };
  const columnData = PARQUET_COLUMNS.filter((c) => !ADDED_SINCE.has(c.name)).map((c) => ({ ...c, data: [values[c.name] ?? null] }));
  const folder = join(lake, 'events/app_id=shop/event_date=2026-11-24/hour=08');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'shardId-000000000000-1-1.parquet'), new Uint8Array(parquetWriteBuffer({ columnData })));
}

describe('a lake holding files from before a column was added to the catalog', () => {
  it('reads the missing column as NULL when every Parquet file lacks it (every query failed with a Binder Error)', async () => {
    const lake = await dirs.make();
    const old = uuidV7();
    await writeOlderFile(lake, old);
    expect(await runQuery(lake, 'SELECT event_id, anonymous_id, received_at, revenue, currency FROM events')).toEqual([
      { event_id: old, anonymous_id: 'dev-old', received_at: '2026-11-24T08:00:01.000Z', revenue: null, currency: null },
    ]);
  });

  it('reads it from the newer files and NULL from the older ones, in both formats', async () => {
    const lake = await dirs.make();
    const old = uuidV7();
    await writeOlderFile(lake, old);
    const parquet = storedEvent({ seq: 1 });
    const ndjson = storedEvent({ seq: 2 });
    await deliverRecords('shardId-000000000000', [record(parquet)], createFolderSink(lake), { format: 'parquet' });
    await deliverRecords('shardId-000000000000', [record(ndjson)], createFolderSink(lake), { format: 'ndjson' });
    const rows = await runQuery(lake, 'SELECT event_id, revenue, currency, event_date, hour FROM events ORDER BY received_at, seq');
    expect(rows).toEqual([
      { event_id: old, revenue: null, currency: null, event_date: '2026-11-24', hour: 8 },
      { event_id: parquet.event_id, revenue: 12.5, currency: 'EUR', event_date: '2026-11-25', hour: 9 },
      { event_id: ndjson.event_id, revenue: 12.5, currency: 'EUR', event_date: '2026-11-25', hour: 9 },
    ]);
  });
});

describe('a lake holding files from before envelope v2 (no first_touch_* columns) next to newer files', () => {
  /** A row as the release before v2 flattened it: first_touch was an open context key, kept in the `context` JSON. */
  const previousRow = (eventId: string, hour: string): Record<string, unknown> => ({
    event_id: eventId,
    schema_version: 1,
    type: 'track',
    anonymous_id: 'dev-old',
    seq: 0,
    client_ts: `2026-11-24T${hour}:00:00.000Z`,
    received_at: `2026-11-24T${hour}:00:01.000Z`,
    app_id: 'shop',
    context: { first_touch: { source: 'google' } },
  });

  async function writePrevious(lake: string, parquetId: string, ndjsonId: string): Promise<void> {
    const parquet = previousRow(parquetId, '08');
    const values: Record<string, unknown> = { ...parquet, seq: 0n, client_ts: Date.parse(parquet.client_ts as string), received_at: Date.parse(parquet.received_at as string) };
    const previous = new Set(PREVIOUS_LAKE_COLUMNS.map((c) => c.name));
    const columnData = PARQUET_COLUMNS.filter((c) => previous.has(c.name)).map((c) => ({ ...c, data: [values[c.name] ?? null] }));
    expect(columnData.map((c) => c.name).filter((name) => name.startsWith('first_touch_'))).toEqual([]);
    const parquetFolder = join(lake, 'events/app_id=shop/event_date=2026-11-24/hour=08');
    await mkdir(parquetFolder, { recursive: true });
    await writeFile(join(parquetFolder, 'shardId-000000000000-1-1.parquet'), new Uint8Array(parquetWriteBuffer({ columnData })));
    const ndjsonFolder = join(lake, 'events/app_id=shop/event_date=2026-11-24/hour=09');
    await mkdir(ndjsonFolder, { recursive: true });
    await writeFile(join(ndjsonFolder, 'shardId-000000000000-2-2.ndjson.gz'), gzipSync(`${JSON.stringify(previousRow(ndjsonId, '09'))}\n`));
  }

  const SQL =
    "SELECT event_id, schema_version, first_touch_source, coalesce(first_touch_source, context->'first_touch'->>'source') AS any_first_source FROM events ORDER BY received_at, seq";

  it('reads first_touch_* as NULL where only older files exist, in both formats (the old value stays readable in context)', async () => {
    const lake = await dirs.make();
    const [p, n] = [uuidV7(), uuidV7()];
    await writePrevious(lake, p, n);
    expect(await runQuery(lake, SQL)).toEqual([
      { event_id: p, schema_version: 1, first_touch_source: null, any_first_source: 'google' },
      { event_id: n, schema_version: 1, first_touch_source: null, any_first_source: 'google' },
    ]);
  });

  it('queries them together with files the v2 processor wrote from v1 and v2 records, in both formats', async () => {
    const lake = await dirs.make();
    const [p, n] = [uuidV7(), uuidV7()];
    await writePrevious(lake, p, n);
    const fromV1 = storedEventV1({ seq: 1, context: { library: { name: 'sdk', version: '1' }, first_touch: { source: 'bing' } } });
    const fromV2 = storedEvent({ seq: 2, context: { library: { name: 'sdk', version: '1' }, first_touch: { source: 'news' } } });
    await deliverRecords('shardId-000000000000', [record(fromV1)], createFolderSink(lake), { format: 'parquet' });
    await deliverRecords('shardId-000000000000', [record(fromV2)], createFolderSink(lake), { format: 'ndjson' });
    expect(await runQuery(lake, SQL)).toEqual([
      { event_id: p, schema_version: 1, first_touch_source: null, any_first_source: 'google' },
      { event_id: n, schema_version: 1, first_touch_source: null, any_first_source: 'google' },
      { event_id: fromV1.event_id, schema_version: 2, first_touch_source: 'bing', any_first_source: 'bing' },
      { event_id: fromV2.event_id, schema_version: 2, first_touch_source: 'news', any_first_source: 'news' },
    ]);
  });
});
