import { parquetWriteBuffer } from 'hyparquet-writer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords, runQuery } from '../src';
import { PARQUET_COLUMNS } from '../src/delivery/parquet';
import { record, storedEvent, uuidV7 } from './fixtures/events';
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
