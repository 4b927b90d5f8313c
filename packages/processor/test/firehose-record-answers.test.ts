import { afterAll, describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, createFolderSink, createKinesisEsmHandler, decodeNdjsonGzip, type FirehoseTransformationEvent } from '../src';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsEvent, b64, esmRecords } from './fixtures/aws-events';
import { storedEvent } from './fixtures/events';
import { aggregate } from './fixtures/kpl';
import { tempDirs } from './fixtures/temp-dir';

type Logged = { level: string; msg: string; fields?: Record<string, unknown> };

/** A Direct PUT invocation of the AWS sample's shape holding these records' data (base64) and arrival times. */
async function invocation(records: { recordId: string; data: string; approximateArrivalTimestamp?: unknown }[]): Promise<FirehoseTransformationEvent> {
  const sample = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
  return { ...sample, records: records.map((r) => ({ approximateArrivalTimestamp: Date.parse('2026-11-25T09:31:12.456Z'), ...r })) } as FirehoseTransformationEvent;
}
const kpl = (events: { app_id?: string; received_at: string }[]): string =>
  Buffer.from(aggregate(events.map((e, i) => ({ partitionKey: `dev-${i}`, data: JSON.stringify(storedEvent(e)) })))).toString('base64');

describe('Firehose: a KPL aggregate record answers one set of partitionKeys', () => {
  it('events of different apps or hours in one record: ProcessingFailed with the reason (the first event’s keys put the others in the wrong partition)', async () => {
    const event = await invocation([
      { recordId: 'two-apps', data: kpl([{ app_id: 'shop', received_at: '2026-11-25T09:59:59.000Z' }, { app_id: 'blog', received_at: '2026-11-25T09:10:00.000Z' }]) },
      { recordId: 'two-hours', data: kpl([{ app_id: 'shop', received_at: '2026-11-25T09:59:59.000Z' }, { app_id: 'shop', received_at: '2026-11-25T10:00:01.000Z' }]) },
      { recordId: 'two-days', data: kpl([{ app_id: 'shop', received_at: '2026-11-25T09:00:00.000Z' }, { app_id: 'shop', received_at: '2026-11-26T09:00:00.000Z' }]) },
    ]);
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(response.records).toEqual(event.records.map((r) => ({ recordId: r.recordId, result: 'ProcessingFailed', data: r.data })));
    const line = logs.find((l) => l.msg.startsWith('records answered ProcessingFailed'));
    expect(line?.fields).toMatchObject({ processing_failed: 3, processing_failed_by_type: { mixed_partitions: 3 } });
    const reasons = (line?.fields?.reasons as { record_id: string; reason: string }[]).map((r) => r.reason);
    expect(reasons[0]).toMatch(/^mixed_partitions: .*2 partitions \(app_id=shop\/event_date=2026-11-25\/hour=09, app_id=blog\/event_date=2026-11-25\/hour=09\).*one set of partitionKeys/);
    expect(reasons[1]).toMatch(/hour=09, app_id=shop\/event_date=2026-11-25\/hour=10/);
    expect(reasons[2]).toMatch(/event_date=2026-11-25\/hour=09, app_id=shop\/event_date=2026-11-26\/hour=09/);
  });

  it('events of one app and hour in one record: Ok, every event as a line, with their shared keys', async () => {
    const event = await invocation([{ recordId: 'one-partition', data: kpl([{ app_id: 'shop', received_at: '2026-11-25T09:00:00.000Z' }, { app_id: 'shop', received_at: '2026-11-25T09:59:59.999Z' }]) }]);
    const [answer] = (await createFirehoseTransformHandler({})(event)).records;
    expect(answer).toMatchObject({ recordId: 'one-partition', result: 'Ok', metadata: { partitionKeys: { app_id: 'shop', event_date: '2026-11-25', hour: '09' } } });
    const lines = Buffer.from(answer!.data, 'base64').toString('utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { received_at: string }).received_at)).toEqual(['2026-11-25T09:00:00.000Z', '2026-11-25T09:59:59.999Z']);
  });
});

// Firehose's approximateArrivalTimestamp read as new Date(...) gave an Invalid Date for a missing or
// non-numeric field, and the bad row's toISOString() threw a RangeError out of the handler: the whole
// invocation failed, and each retry of the same batch the same way, for one record.
describe('a record without a usable arrival time is answered, not thrown on', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  it('Firehose: an invalid record of no or a wrong approximateArrivalTimestamp is ProcessingFailed, a valid one Ok; the invocation answers', async () => {
    const event = await invocation([
      { recordId: 'missing', data: Buffer.from('not json').toString('base64'), approximateArrivalTimestamp: undefined },
      { recordId: 'text', data: Buffer.from('not json').toString('base64'), approximateArrivalTimestamp: 'yesterday' },
      { recordId: 'huge', data: Buffer.from('not json').toString('base64'), approximateArrivalTimestamp: 1e20 },
      { recordId: 'valid', data: b64(storedEvent()), approximateArrivalTimestamp: null },
    ]);
    const response = await createFirehoseTransformHandler({ log: () => undefined })(event);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['missing', 'ProcessingFailed'],
      ['text', 'ProcessingFailed'],
      ['huge', 'ProcessingFailed'],
      ['valid', 'Ok'],
    ]);
  });

  it('Firehose on the bad-rows stream: such a record is still Ok as its bad row, dated by its failure time, arrived_at null', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-events-bad.json');
    const one = event.records[0]!;
    event.records = [{ ...one, approximateArrivalTimestamp: 'soon' as unknown as number }];
    const now = new Date('2026-11-27T08:00:00.000Z');
    const [answer] = (await createFirehoseTransformHandler({ badRowsStream: 'events-bad', now: () => now })(event)).records;
    expect(answer).toMatchObject({ result: 'Ok', metadata: { partitionKeys: { error_type: 'ingest_invalid_event' } } });
    expect(JSON.parse(Buffer.from(answer!.data, 'base64').toString('utf8'))).toMatchObject({ arrived_at: null });
  });

  it('Kinesis event source mapping: a bad record of no approximateArrivalTimestamp is a bad row with arrived_at null', async () => {
    const lake = await dirs.make();
    const records = await esmRecords(['not json', storedEvent()]);
    delete (records[0]!.kinesis as { approximateArrivalTimestamp?: number }).approximateArrivalTimestamp;
    const response = await createKinesisEsmHandler({ sink: createFolderSink(lake) })({ Records: records });
    expect(response).toEqual({ batchItemFailures: [] });
    const files = (await readdir(lake, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.parentPath.includes('bad_rows'));
    expect(files).toHaveLength(1);
    const [bad] = decodeNdjsonGzip(await readFile(join(files[0]!.parentPath, files[0]!.name))) as Record<string, unknown>[];
    expect(bad).toMatchObject({ error_type: 'validation', arrived_at: null }); // a JSON string, not an event
  });
});
