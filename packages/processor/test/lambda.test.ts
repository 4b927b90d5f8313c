import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, createFolderSink, createKinesisEsmHandler, decodeNdjsonGzip, KinesisBatchFailedError, type Sink } from '../src';
import type { FirehoseTransformationEvent, KinesisStreamEvent } from '../src';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';
import { awsEvent, b64, esmRecords } from './fixtures/aws-events';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());


async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** The AWS sample event with our events in place of its text payloads, plus a record on another shard. */
async function esmEvent(): Promise<{ event: KinesisStreamEvent; ids: string[] }> {
  const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
  const [sample, second] = event.Records;
  const a = storedEvent({ received_at: '2026-11-25T09:00:00.000Z' });
  const b = storedEvent({ received_at: '2026-11-25T09:00:01.000Z' });
  const other = structuredClone(second!);
  other.kinesis.data = b64(b);
  other.kinesis.sequenceNumber = '49590338271490256608559692540925702759324208523137515700';
  other.eventID = `shardId-000000000007:${other.kinesis.sequenceNumber}`;
  second!.kinesis.data = b64(a);
  // The first record keeps the sample's text payload: a bad row, not a failure.
  return { event: { Records: [sample!, second!, other] }, ids: [a.event_id, b.event_id] };
}

describe('Kinesis event source mapping handler', () => {
  it('delivers per shard, keeps bad records as bad rows and reports no failures', async () => {
    const lake = await dirs.make();
    const { event, ids } = await esmEvent();
    const response = await createKinesisEsmHandler({ sink: createFolderSink(lake) })(event);
    expect(response).toEqual({ batchItemFailures: [] });
    const written = await files(lake);
    expect(written).toEqual([
      // Every file of a batch is named after the batch's first record on its shard (see the retry test).
      'bad_rows/error_type=parse/event_date=2018-12-17/shardId-000000000006-49590338271490256608559692538361571095921575989136588898.ndjson.gz',
      'events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000000000006-49590338271490256608559692538361571095921575989136588898.ndjson.gz',
      'events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000000000007-49590338271490256608559692540925702759324208523137515700.ndjson.gz',
    ]);
    const rows = await Promise.all(written.slice(1).map(async (f) => decodeNdjsonGzip(await readFile(join(lake, f)))));
    expect(rows.flat().map((r) => (r as { event_id: string }).event_id)).toEqual(ids);
    const [bad] = decodeNdjsonGzip(await readFile(join(lake, written[0]!)));
    expect(bad).toMatchObject({ error_type: 'parse', payload: 'Hello, this is a test.', partition_key: '1', arrived_at: '2018-12-17T22:10:50.987Z' });
  });

  it('with one of two shards failed, throws (a resolved answer is checkpointed as a success without ReportBatchItemFailures); the retried batch rewrites the delivered shard\'s file: every event once', async () => {
    const lake = await dirs.make();
    const { event, ids } = await esmEvent();
    const inner = createFolderSink(lake);
    const sink: Sink = { write: (key, bytes) => (key.includes('shardId-000000000006') ? Promise.reject(new Error('disk full')) : inner.write(key, bytes)) };
    const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const failure = await createKinesisEsmHandler({ sink, log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event).then(
      (response) => ({ resolved: response }),
      (error: unknown) => error,
    );
    // Resolving, with the failed shard in batchItemFailures or not, lets a mapping without the setting checkpoint past it.
    expect(failure).toBeInstanceOf(KinesisBatchFailedError);
    expect(failure).toMatchObject({ shardId: 'shardId-000000000006', firstSequenceNumber: '49590338271490256608559692538361571095921575989136588898', failures: [{ shardId: 'shardId-000000000006' }] });
    expect(logs.map((l) => l.msg)).toEqual(['delivery failed; Lambda retries from the first record', 'batch records reported failed; Lambda delivers them again']);
    // One line for the batch: how many records repeat, and why (the delivered shard's too: the whole batch is retried).
    expect(logs[1]).toEqual({
      level: 'warn',
      msg: 'batch records reported failed; Lambda delivers them again',
      fields: {
        records: 3,
        failed_records: 3,
        shards: 2,
        failed_shards: 1,
        reported_as: 'KinesisBatchFailedError',
        reasons: [{ shard: 'shardId-000000000006', first_sequence_number: '49590338271490256608559692538361571095921575989136588898', reason: '2 of 2 files failed to write (disk full)' }],
      },
    });
    const delivered = await files(lake);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((f) => f.includes('shardId-000000000007'))).toBe(true);
    // Lambda retries the whole batch: the delivered shard's file is written again under its name, not next to it.
    expect(await createKinesisEsmHandler({ sink: inner })(event)).toEqual({ batchItemFailures: [] });
    const written = await files(lake);
    expect(written).toEqual(expect.arrayContaining(delivered));
    const rows = await Promise.all(written.filter((f) => f.startsWith('events/')).map(async (f) => decodeNdjsonGzip(await readFile(join(lake, f)))));
    expect(rows.flat().map((r) => (r as { event_id: string }).event_id).sort()).toEqual([...ids].sort());
  });

  it('a batch whose delivery failed throws KinesisBatchFailedError naming the shard and first record (a partial answer would be checkpointed as success without ReportBatchItemFailures)', async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const sink: Sink = { write: () => Promise.reject(new Error('S3 unavailable')) };
    const first = event.Records[0]!.kinesis.sequenceNumber;
    const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
    const failure = await createKinesisEsmHandler({ sink, log: (_level, msg, fields) => void logs.push({ msg, ...(fields ? { fields } : {}) }) })(event).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KinesisBatchFailedError);
    expect(logs.at(-1)).toEqual({
      msg: 'batch records reported failed; Lambda delivers them again',
      fields: {
        records: event.Records.length,
        failed_records: event.Records.length,
        shards: 1,
        failed_shards: 1,
        reported_as: 'KinesisBatchFailedError',
        reasons: [{ shard: 'shardId-000000000006', first_sequence_number: first, reason: expect.stringContaining('S3 unavailable') as unknown }],
      },
    });
    expect(failure).toMatchObject({ name: 'KinesisBatchFailedError', shardId: 'shardId-000000000006', firstSequenceNumber: first, cause: { message: 'S3 unavailable' } });
    expect((failure as Error).message).toBe(`delivery of the batch failed (shard shardId-000000000006 from sequence number ${first}): S3 unavailable; Lambda retries it from there`);
  });

  it('a retried batch (same first record, more after it) replaces the failed attempt’s files: every event once', async () => {
    const lake = await dirs.make();
    // Events alternate between two hour partitions: one folder's write fails on the first attempt.
    const events = Array.from({ length: 6 }, (_, i) => storedEvent({ received_at: `2026-11-25T${i % 2 ? '10' : '09'}:00:0${i}.000Z` }));
    const records = await esmRecords(events);
    const folder = createFolderSink(lake);
    const failing: Sink = { write: (key, bytes) => (key.includes('hour=10') ? Promise.reject(new Error('throttled')) : folder.write(key, bytes)) };
    const first = createKinesisEsmHandler({ sink: failing })({ Records: records.slice(0, 4) });
    await expect(first).rejects.toMatchObject({ name: 'KinesisBatchFailedError', firstSequenceNumber: records[0]!.kinesis.sequenceNumber });
    expect(await files(lake)).toHaveLength(1); // hour=09 was written before the retry
    // Lambda retries from the reported record; more records have arrived meanwhile.
    const retry = await createKinesisEsmHandler({ sink: folder })({ Records: records });
    expect(retry.batchItemFailures).toEqual([]);
    const written = await files(lake);
    expect(written).toHaveLength(2);
    const rows = (await Promise.all(written.map(async (f) => decodeNdjsonGzip(await readFile(join(lake, f)))))).flat();
    expect(rows.map((r) => (r as { event_id: string }).event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});

describe('Firehose transformation handler', () => {
  it('returns every recordId with Ok / Dropped / ProcessingFailed, data and partition keys', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sample = event.records[0]!;
    const good = storedEvent({ app_id: 'blog', received_at: '2026-11-25T23:59:59.000Z' });
    event.records.push(
      { ...sample, recordId: 'r-good', data: b64(good) },
      { ...sample, recordId: 'r-dup', data: b64(good) },
      { ...sample, recordId: 'r-invalid', data: b64({ ...good, seq: -1 }) },
    );
    const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    // One line for the invocation: every result counted, each failure's reason with its recordId.
    expect(logs).toEqual([
      {
        level: 'warn',
        msg: 'records answered ProcessingFailed; Firehose writes them under its error prefix',
        fields: {
          records: 4,
          ok: 1,
          dropped: 1,
          processing_failed: 2,
          processing_failed_for_size: 0,
          processing_failed_by_type: { parse: 1, validation: 1 },
          reasons: [
            { record_id: sample.recordId, reason: expect.stringMatching(/^parse: /) as unknown },
            { record_id: 'r-invalid', reason: expect.stringMatching(/^validation: .*seq/) as unknown },
          ],
        },
      },
    ]);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      [sample.recordId, 'ProcessingFailed'],
      ['r-good', 'Ok'],
      ['r-dup', 'Dropped'],
      ['r-invalid', 'ProcessingFailed'],
    ]);
    expect(response.records[0]?.data).toBe(sample.data);
    const ok = response.records[1]!;
    expect(ok.metadata).toEqual({ partitionKeys: { app_id: 'blog', event_date: '2026-11-25', hour: '23' } });
    const text = Buffer.from(ok.data, 'base64').toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ event_id: good.event_id, app_id: 'blog', device_type: 'unknown', revenue: 12.5 });
  });

  it('counts every ProcessingFailed record by kind in its log line, not only the first few reasons', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sample = event.records[0]!; // not JSON: a parse bad row
    const good = storedEvent();
    const invalid = Array.from({ length: 7 }, (_, i) => ({ ...sample, recordId: `r-invalid-${i}`, data: b64({ ...good, event_id: undefined, seq: i }) }));
    event.records.push(...invalid, { ...sample, recordId: 'r-parse-2' });
    const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
    await createFirehoseTransformHandler({ log: (_level, msg, fields) => void logs.push({ msg, ...(fields ? { fields } : {}) }) })(event);
    const fields = logs.find((l) => l.msg.startsWith('records answered ProcessingFailed'))?.fields;
    expect(fields).toMatchObject({ processing_failed: 9, processing_failed_by_type: { parse: 2, validation: 7 } });
    expect(fields?.reasons).toHaveLength(5); // the validation failures past the fifth show only in the counts
  });
});

// Records as the ingest writes them to its bad-rows stream (read back from kinesalite after a real
// ingest refused two events without `context`), in the shapes Lambda and Firehose deliver them.
describe("the ingest's bad-rows stream through the Lambda handlers", () => {
  const reason = 'events[0].context: required';

  it('ESM: records from the stream named badRowsStream land under bad_rows/error_type=ingest_<code>/ with their reason', async () => {
    const lake = await dirs.make();
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-events-bad.json');
    const response = await createKinesisEsmHandler({ sink: createFolderSink(lake), badRowsStream: 'events-bad' })(event);
    expect(response).toEqual({ batchItemFailures: [] });
    const written = await files(lake);
    expect(written).toEqual([`bad_rows/error_type=ingest_invalid_event/event_date=2026-11-26/shardId-000000000000-${event.Records[0]!.kinesis.sequenceNumber}.ndjson.gz`]);
    const rows = decodeNdjsonGzip(await readFile(join(lake, written[0]!))) as Record<string, unknown>[];
    expect(rows.map((r) => [r.error_type, r.reason, r.app_id])).toEqual([
      ['ingest_invalid_event', reason, 'shop'],
      ['ingest_invalid_event', reason, 'shop'],
    ]);
    expect(JSON.parse(rows[0]!.payload as string)).toMatchObject({ event_id: '01a21873-f91b-7d7e-8eda-d4c5205ce045', type: 'track' });
  });

  it('ESM: the same records from a stream of another name are taken for events (validation bad rows): the name must match', async () => {
    const lake = await dirs.make();
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-events-bad.json');
    await createKinesisEsmHandler({ sink: createFolderSink(lake), badRowsStream: 'rejections' })(event);
    expect((await files(lake)).map((f) => f.split('/')[1])).toEqual(['error_type=validation']);
  });

  it('Firehose: an invocation from the bad-rows stream answers every record Ok as a bad row, partitioned by error_type and date', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-events-bad.json');
    const response = await createFirehoseTransformHandler({ badRowsStream: 'events-bad' })(event);
    expect(response.records.map((r) => [r.recordId, r.result, r.metadata])).toEqual(
      event.records.map((r) => [r.recordId, 'Ok', { partitionKeys: { error_type: 'ingest_invalid_event', event_date: '2026-11-26' } }]),
    );
    const line = Buffer.from(response.records[0]!.data, 'base64').toString('utf8');
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({
      error_type: 'ingest_invalid_event',
      reason,
      app_id: 'shop',
      sequence_number: event.records[0]!.kinesisRecordMetadata!.sequenceNumber,
      failed_at: '2026-11-26T15:23:03.363Z',
    });
  });
});
