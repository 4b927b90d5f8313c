import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords } from '../src';
import { record, storedEvent } from './fixtures/events';
import { runEntry } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('lake times on a machine whose local time is not UTC', () => {
  it('reads the same instants from Parquet and NDJSON.gz, and derives the UTC day and hour the partitions hold', async () => {
    const lake = await dirs.make();
    // One minute before midnight UTC: in New York it is still the afternoon of the same day, so a
    // local-time reading moves the hour (and, for Parquet, the instant itself).
    const at = '2026-11-25T23:59:00.000Z';
    for (const [seq, format] of [[1, 'parquet'], [2, 'ndjson']] as const) {
      const event = storedEvent({ seq, received_at: at, client_ts: at, sent_at: at });
      await deliverRecords('shardId-000000000000', [record(event)], createFolderSink(lake), { format });
    }
    const sql = `select seq, received_at, client_ts, hour(received_at) = hour and received_at::DATE = event_date as in_its_partition from events order by seq`;
    const run = runEntry('src/query/cli.ts', [sql], { LAKE_DIR: lake, TZ: 'America/New_York' });
    expect(await run.exited).toBe(0);
    expect(run.stdout().split('\n').slice(2, 4)).toEqual([
      `1    ${at}  ${at}  true`,
      `2    ${at}  ${at}  true`,
    ]);

    // The SQL box's sandboxed lake (its settings locked after the zone is set): the same.
    const box = runEntry('test/fixtures/read-only-query.ts', [lake, sql], { TZ: 'America/New_York' });
    expect(await box.exited).toBe(0);
    expect(JSON.parse(box.stdout())).toEqual({
      rows: [1, 2].map((seq) => ({ seq, received_at: at, client_ts: at, in_its_partition: true })),
      truncated: false,
    });
  });
});
