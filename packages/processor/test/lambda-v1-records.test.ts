import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, createFolderSink, createKinesisEsmHandler, decodeNdjsonGzip, runQuery } from '../src';
import type { FirehoseTransformationEvent, KinesisStreamEvent } from '../src';
import { awsEvent, b64 } from './fixtures/aws-events';
import { storedEvent, storedEventV1 } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const library = { name: 'eventline-sdk', version: '0.1.0' };
/** Records as the ingest before envelope v2 wrote them: a campaign-shaped first_touch, and a misfit. */
const v1 = (): Record<string, unknown> => storedEventV1({ received_at: '2026-11-25T09:00:00.000Z', context: { library, first_touch: { source: 'google', click_id: 'g-1', click_id_type: 'gclid' } } });
const misfit = (): Record<string, unknown> => storedEventV1({ received_at: '2026-11-25T09:00:01.000Z', context: { library, first_touch: 'google' } });

describe('the Lambda handlers given records an ingest of envelope v1 wrote', () => {
  it('Kinesis ESM: delivers them as v2 rows, first_touch in its columns, a misfit under context.legacy_first_touch', async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const [first, second] = event.Records;
    const a = v1();
    const b = misfit();
    first!.kinesis.data = b64(a);
    second!.kinesis.data = b64(b);
    const lake = await dirs.make();
    expect(await createKinesisEsmHandler({ sink: createFolderSink(lake) })({ Records: [first!, second!] })).toEqual({ batchItemFailures: [] });
    const files = (await readdir(lake, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(files.map((f) => f.slice(lake.length + 1).split('/')[0])).toEqual(['events']);
    const rows = decodeNdjsonGzip(await readFile(files[0]!));
    expect(rows).toEqual([
      expect.objectContaining({ event_id: a.event_id, schema_version: 2, first_touch_source: 'google', first_touch_click_id: 'g-1', first_touch_click_id_type: 'gclid' }),
      expect.objectContaining({ event_id: b.event_id, schema_version: 2, context: { legacy_first_touch: 'google' } }),
    ]);
    expect(rows[0]).not.toHaveProperty('context');
    expect(Object.keys(rows[1] as object).filter((k) => k.startsWith('first_touch_'))).toEqual([]);
    // And the lake's SQL view reads them so.
    expect(await runQuery(lake, "SELECT schema_version, first_touch_source, context->>'legacy_first_touch' AS legacy FROM events ORDER BY received_at")).toEqual([
      { schema_version: 2, first_touch_source: 'google', legacy: null },
      { schema_version: 2, first_touch_source: null, legacy: 'google' },
    ]);
  });

  it('Firehose transform: answers them Ok as v2 rows with the first_touch_* columns, partition keys as before', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sample = event.records[0]!;
    const a = v1();
    const b = misfit();
    const c = storedEvent({ received_at: '2026-11-25T09:00:02.000Z', context: { library, first_touch: { source: 'news' } } });
    event.records = [
      { ...sample, recordId: 'r-v1', data: b64(a) },
      { ...sample, recordId: 'r-misfit', data: b64(b) },
      { ...sample, recordId: 'r-v2', data: b64(c) },
    ];
    const response = await createFirehoseTransformHandler()(event);
    expect(response.records.map((r) => [r.recordId, r.result, r.metadata])).toEqual(
      ['r-v1', 'r-misfit', 'r-v2'].map((id) => [id, 'Ok', { partitionKeys: { app_id: 'shop', event_date: '2026-11-25', hour: '09' } }]),
    );
    const [rowA, rowB, rowC] = response.records.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as Record<string, unknown>);
    expect(rowA).toMatchObject({ event_id: a.event_id, schema_version: 2, first_touch_source: 'google', first_touch_click_id: 'g-1', first_touch_click_id_type: 'gclid' });
    expect(rowA).not.toHaveProperty('context');
    expect(rowB).toMatchObject({ event_id: b.event_id, schema_version: 2, context: { legacy_first_touch: 'google' } });
    expect(rowB).not.toHaveProperty('first_touch_source');
    expect(rowC).toMatchObject({ event_id: c.event_id, schema_version: 2, first_touch_source: 'news' });
  });
});
