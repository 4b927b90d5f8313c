import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords, runQuery } from '../src';
import { record } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe("the ingest's bad-rows stream", () => {
  it('lands in bad_rows under ingest_<type>, queryable with the processor’s own', async () => {
    const lake = await dirs.make();
    const rejected = {
      error_type: 'invalid_event',
      issues: [{ path: 'events[0].properties.af_revenue', code: 'invalid_type', message: 'expected number' }],
      app_id: 'shop',
      received_at: '2026-11-25T09:31:12.000Z',
      request_id: 'req-1',
      payload: '{"event_id":"x","properties":{"af_revenue":"lots"}}',
      payload_truncated: false,
    };
    const records = [record(rejected, 'x'), record('garbage', 'y')];
    const result = await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { input: 'ingest-bad-rows' });
    expect(result).toMatchObject({ rowsDelivered: 0, badRows: 2 });
    expect(result.objectKeys.map((k) => k.split('/').slice(0, 3).join('/')).sort()).toEqual([
      'bad_rows/error_type=ingest_invalid_event/event_date=2026-11-25',
      'bad_rows/error_type=ingest_unreadable/event_date=2026-11-25',
    ]);
    expect(await runQuery(lake, 'SELECT error_type, reason, app_id, request_id, payload FROM bad_rows ORDER BY error_type')).toEqual([
      {
        error_type: 'ingest_invalid_event',
        reason: 'events[0].properties.af_revenue: expected number',
        app_id: 'shop',
        request_id: 'req-1',
        payload: rejected.payload,
      },
      { error_type: 'ingest_unreadable', reason: 'not an ingest bad row', app_id: null, request_id: null, payload: 'garbage' },
    ]);
  });

  it('keeps a code the catalog does not list under ingest_other, the code in the reason (Athena lists only the enum\'s folders)', async () => {
    const lake = await dirs.make();
    const unknown = { error_type: 'Rate Limited!', issues: [{ path: 'events[0]', code: 'x', message: 'slow down' }], received_at: '2026-11-25T09:31:12.000Z', payload: '{}' };
    const result = await deliverRecords('shardId-000000000000', [record(unknown, 'x')], createFolderSink(lake), { input: 'ingest-bad-rows' });
    expect(result.objectKeys.map((k) => k.split('/').slice(0, 2).join('/'))).toEqual(['bad_rows/error_type=ingest_other']);
    expect(await runQuery(lake, 'SELECT error_type, reason FROM bad_rows')).toEqual([{ error_type: 'ingest_other', reason: 'ingest code "Rate Limited!": events[0]: slow down' }]);
  });

  it('keeps the ingest\'s issues_truncated flag (true when it cut the issues, false when not); null on rows it did not make', async () => {
    const lake = await dirs.make();
    const base = { error_type: 'invalid_event', received_at: '2026-11-25T09:31:12.000Z', payload: '{}' };
    const cut = { ...base, issues: [{ path: 'events[0].a', code: 'x', message: 'bad' }], issues_truncated: true };
    const whole = { ...base, issues: [{ path: 'events[1].b', code: 'x', message: 'bad' }] };
    const records = [record(cut, 'a'), record(whole, 'b'), record('garbage', 'c')];
    await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { input: 'ingest-bad-rows' });
    expect(await runQuery(lake, 'SELECT partition_key, reason, issues_truncated FROM bad_rows ORDER BY partition_key')).toEqual([
      { partition_key: 'a', reason: 'events[0].a: bad', issues_truncated: true },
      { partition_key: 'b', reason: 'events[1].b: bad', issues_truncated: false },
      { partition_key: 'c', reason: 'not an ingest bad row', issues_truncated: null },
    ]);
  });
});
