import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePrefix, createFolderSink, createKinesisEsmHandler, decodeNdjsonGzip, deliverRecords, type KinesisStreamEvent } from '../src';
import { awsEvent, b64 } from './fixtures/aws-events';
import { record, storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** Partitioned by event name: only track events have one, and names may hold spaces. */
const BY_EVENT = 'events/!{partitionKeyFromQuery:type}/!{partitionKeyFromQuery:event}/!{timestamp:yyyy-MM-dd}/';
const at = '2026-11-25T09:00:00.000Z';

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

async function linesUnder(dir: string, folder: string): Promise<Record<string, unknown>[]> {
  const names = (await files(dir)).filter((f) => f.startsWith(folder));
  const rows = await Promise.all(names.map(async (f) => decodeNdjsonGzip(await readFile(join(dir, f))) as Record<string, unknown>[]));
  return rows.flat();
}

describe('events whose partition values cannot fill the event prefix', () => {
  it('become partition bad rows; the other records of the batch are delivered', async () => {
    const lake = await dirs.make();
    const purchase = storedEvent({ received_at: at });
    const page = storedEvent({ type: 'page', event: undefined, received_at: at });
    const spaced = storedEvent({ event: 'Add to cart', received_at: at });
    const records = [record(purchase), record(page, 'dev-2'), record(spaced), record('{broken')];
    const result = await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { eventPrefix: compilePrefix(BY_EVENT) });

    expect(result).toMatchObject({ rowsDelivered: 1, badRows: 3, badRowTypes: new Map([['partition', 2], ['parse', 1]]) });
    expect((await linesUnder(lake, 'events/track/af_purchase/2026-11-25/')).map((r) => r.event_id)).toEqual([purchase.event_id]);
    const refused = await linesUnder(lake, 'bad_rows/error_type=partition/');
    expect(refused.map((r) => [r.partition_key, r.payload])).toEqual([
      ['dev-2', JSON.stringify(page)],
      ['dev-1', JSON.stringify(spaced)],
    ]);
    expect(refused[0]?.reason).toBe('event prefix: partition key "event" has no usable value: the record has none');
    expect(refused[1]?.reason).toMatch(/partition key "event" has no usable value: "Add to cart" \(a folder name takes only/);
  });

  it('are bad rows in the Lambda ESM handler too: the batch reports no failure', async () => {
    const lake = await dirs.make();
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const [first, second] = event.Records;
    const ok = storedEvent({ received_at: at });
    first!.kinesis.data = b64(storedEvent({ event: 'Sign up', received_at: at }));
    second!.kinesis.data = b64(ok);
    const handler = createKinesisEsmHandler({ sink: createFolderSink(lake), delivery: { eventPrefix: compilePrefix(BY_EVENT) } });
    expect(await handler({ Records: [first!, second!] })).toEqual({ batchItemFailures: [] });
    expect((await linesUnder(lake, 'events/track/af_purchase/')).map((r) => r.event_id)).toEqual([ok.event_id]);
    const refused = await linesUnder(lake, 'bad_rows/error_type=partition/');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toContain('"Sign up"');
  });

  it('an event named "." or "..", or a name too long for a folder, alone in its folder: bad rows, not a flush failing on every retry', async () => {
    const lake = await dirs.make();
    const ok = storedEvent({ received_at: at });
    const dots = ['..', '.'].map((event) => storedEvent({ event, received_at: at }));
    const long = storedEvent({ event: 'x'.repeat(255), received_at: at });
    const records = [...dots, ok, long].map((e) => record(e));
    // The folder name is `event=` and the name: 261 characters for a 255-character name (the schema's limit).
    const prefix = compilePrefix('events/!{partitionKeyFromQuery:event}/event=!{partitionKeyFromQuery:event}/');
    const result = await deliverRecords('shardId-000000000000', records, createFolderSink(lake), { eventPrefix: prefix });

    expect(result).toMatchObject({ rowsDelivered: 1, badRows: 3, badRowTypes: new Map([['partition', 3]]) });
    expect((await linesUnder(lake, 'events/af_purchase/event=af_purchase/')).map((r) => r.event_id)).toEqual([ok.event_id]);
    const refused = await linesUnder(lake, 'bad_rows/error_type=partition/');
    expect(refused.map((r) => r.reason)).toEqual([
      'event prefix: partition values make a folder named "..", which a path cannot hold',
      'event prefix: partition values make a folder named ".", which a path cannot hold',
      expect.stringMatching(/^event prefix: partition values make a folder name of 261 characters \(at most 255\)/),
    ]);
    // Where the value shares its folder with other text, dots are an ordinary name.
    expect(compilePrefix('events/event=!{partitionKeyFromQuery:event}/')({ timestamp: new Date(at), partitionKeys: { event: '..' } })).toBe('events/event=../');
  });

  it('the error prefix cannot use record keys (a bad row has none: every bad row would fail)', () => {
    expect(() => compilePrefix('bad/!{partitionKeyFromQuery:app_id}/', 'errors')).toThrow(/not allowed in the error prefix/);
    expect(() => compilePrefix('bad/!{partitionKeyFromLambda:event}/', 'errors')).toThrow(/not allowed in the error prefix/);
  });
});
