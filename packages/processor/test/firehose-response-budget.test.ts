import { describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, type FirehoseTransformationEvent } from '../src';
import { FIREHOSE_RESPONSE_MAX_BYTES, outputBytes, overBudget } from '../src/lambda/firehose-response-budget';
import { awsEvent, b64 } from './fixtures/aws-events';
import { storedEvent } from './fixtures/events';

/**
 * Lambda answers a synchronous invocation with at most 6 MB, and Firehose invokes the transformation
 * synchronously (docs.aws.amazon.com/firehose/latest/dev/data-transformation.html): a larger answer
 * failed the invocation, and every retry of the same batch failed the same way.
 */
type Logged = { level: string; msg: string; fields?: Record<string, unknown> };
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** An invocation of `count` valid events (~550 bytes of base64 each), with Firehose's Direct PUT fields. */
function invocation(count: number): FirehoseTransformationEvent {
  const records = Array.from({ length: count }, (_, i) => ({ recordId: `r-${i}`, approximateArrivalTimestamp: Date.parse('2026-11-25T09:31:12.456Z'), data: b64(storedEvent({ anonymous_id: `dev-${i}` })) }));
  return { invocationId: 'inv-1', deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/eventline', region: 'eu-west-1', records };
}

/** A Kinesis-source recordId as Firehose writes it: 62 digits (the fixtures' `r-0` understated the answer's size). */
const recordIdOf = (i: number): string => (49680586818485870621668910862969427008109943076813799426000000n + BigInt(i)).toString();

/**
 * An invocation from a Kinesis source holding `rawBytes` of record data (small events, the most answer per
 * byte, unless `properties` are given), with Firehose's recordIds and kinesisRecordMetadata; `invalid` records of no JSON first.
 */
function kinesisSourced(rawBytes: number, invalid = 0, properties: Record<string, unknown> = {}): { event: FirehoseTransformationEvent; raw: number } {
  const records: FirehoseTransformationEvent['records'] = [];
  let raw = 0;
  for (let i = 0; raw < rawBytes; i++) {
    const data = Buffer.from(i < invalid ? `not json ${i}` : JSON.stringify({ ...storedEvent({ anonymous_id: `d${i}` }), properties }));
    raw += data.length;
    const arrival = Date.parse('2026-11-25T09:31:12.456Z');
    records.push({
      recordId: recordIdOf(i),
      approximateArrivalTimestamp: arrival,
      data: data.toString('base64'),
      kinesisRecordMetadata: { shardId: 'shardId-000000000000', partitionKey: `dev-${i}`, approximateArrivalTimestamp: arrival, sequenceNumber: recordIdOf(i), subsequenceNumber: 0 },
    });
  }
  const event = { invocationId: 'inv-1', deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/eventline', sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events', region: 'eu-west-1', records };
  return { event, raw };
}

describe('Firehose transformation: the response stays within Lambda’s 6 MB', () => {
  // The README's figure: the answer is about twice the raw data, so 3 MiB fits with little room and BufferSizeInMBs 2 with plenty.
  it('with Firehose’s own recordIds the answer is ~2 × the raw data: 2 MiB (BufferSizeInMBs=2) and 3 MiB are answered whole, 3.2 MiB is not', async () => {
    const two = kinesisSourced(2 * 1024 * 1024);
    const answered = await createFirehoseTransformHandler({})(two.event);
    expect(answered.records.every((r) => r.result === 'Ok')).toBe(true);
    const ratio = jsonBytes(answered) / two.raw;
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.1);
    expect(jsonBytes(answered)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
    const three = kinesisSourced(3 * 1024 * 1024);
    const whole = await createFirehoseTransformHandler({})(three.event);
    expect(whole.records.every((r) => r.result === 'Ok')).toBe(true);
    expect(jsonBytes(whole)).toBeGreaterThan(6_000_000); // the old budget failed ~23 % of these records
    const more = kinesisSourced(3.2 * 1024 * 1024);
    const cut = await createFirehoseTransformHandler({ log: () => undefined })(more.event);
    expect(cut.records.some((r) => r.result === 'ProcessingFailed')).toBe(true);
    expect(jsonBytes(cut)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
  });

  it('records failed for size have their own count on the ProcessingFailed line, however many invalid records fill its reasons', async () => {
    const { event } = kinesisSourced(3.2 * 1024 * 1024, 20);
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    const failed = response.records.filter((r) => r.result === 'ProcessingFailed').length;
    const line = logs.find((l) => l.msg.startsWith('records answered ProcessingFailed'));
    expect(line?.fields).toMatchObject({ processing_failed: failed, processing_failed_for_size: failed - 20 });
    expect(failed - 20).toBeGreaterThan(0);
    // The reasons list holds only the first failures: the invalid ones.
    expect((line?.fields?.reasons as { reason: string }[]).every((r) => !/6 MB/.test(r.reason))).toBe(true);
  });

  it('an invocation near the 6 MB request limit answers its last records ProcessingFailed (original data), the rest Ok, and logs the fix', async () => {
    const event = invocation(10_000);
    expect(jsonBytes(event)).toBeLessThan(6 * 1024 * 1024); // a request Firehose may send
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(jsonBytes(response)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    const results = response.records.map((r) => r.result);
    const firstFailed = results.indexOf('ProcessingFailed');
    expect(firstFailed).toBeGreaterThan(0);
    // The earliest go through; from the first failed one on, all fail, each with its original data.
    expect(results.slice(0, firstFailed).every((r) => r === 'Ok')).toBe(true);
    expect(results.slice(firstFailed).every((r) => r === 'ProcessingFailed')).toBe(true);
    expect(response.records[firstFailed]!.data).toBe(event.records[firstFailed]!.data);
    const failedCount = results.length - firstFailed;
    expect(logs).toContainEqual({
      level: 'error',
      msg: expect.stringMatching(/over Lambda's 6 MB response limit/) as unknown,
      fields: expect.objectContaining({ records: 10_000, processing_failed_for_size: failedCount, fix: expect.stringMatching(/BufferSizeInMBs/) as unknown }) as unknown,
    });
    // The per-invocation ProcessingFailed line names the reason too.
    const failedLine = logs.find((l) => l.msg.startsWith('records answered ProcessingFailed'));
    expect(failedLine?.fields).toMatchObject({ processing_failed: failedCount, reasons: expect.arrayContaining([expect.objectContaining({ reason: "over Lambda's 6 MB response limit" })]) as unknown });
  });

  it('an invocation within the buffer hint (1 MB of events) is answered whole, Ok', async () => {
    const event = invocation(2_000);
    const response = await createFirehoseTransformHandler({})(event);
    expect(response.records.every((r) => r.result === 'Ok')).toBe(true);
  });

  it('the ingest’s bad rows (Firehose on events-bad) are held to the same limit', async () => {
    const sample = await awsEvent<FirehoseTransformationEvent>('firehose-events-bad.json');
    const one = sample.records[0]!;
    const records = Array.from({ length: 6_490 }, (_, i) => ({ ...one, recordId: `bad-${i}` }));
    const event = { ...sample, records };
    expect(jsonBytes(event)).toBeLessThan(6 * 1024 * 1024);
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ badRowsStream: 'events-bad', log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(jsonBytes(response)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
    expect(response.records[0]!.result).toBe('Ok');
    expect(response.records.at(-1)).toEqual({ recordId: 'bad-6489', result: 'ProcessingFailed', data: one.data });
    expect(logs.map((l) => l.level)).toEqual(['error']);
  });

  it('overBudget fails the last records that shrink the answer, and none when it fits', () => {
    expect(overBudget([10, 10, 10], [5, 5, 5], 100)).toEqual(new Set());
    expect(overBudget([40, 40, 40], [5, 5, 5], 100)).toEqual(new Set([2]));
    // A record whose output is no larger failed than transformed is not failed for size.
    expect(overBudget([40, 40, 5, 40], [5, 5, 5, 5], 70)).toEqual(new Set([3, 1]));
  });

  it('overBudget fails none when failing every record that shrinks the answer still leaves it over', () => {
    // 14 bytes of envelope + 3 × 30 failed = 104 > 100: failing would only send them to the error prefix.
    expect(overBudget([40, 40, 40], [30, 30, 30], 100)).toEqual(new Set());
    expect(overBudget([40, 40, 40], [29, 29, 28], 100)).toEqual(new Set([2, 1, 0]));
  });

  // The budget counts each record's JSON plus a comma and the envelope; the Node runtime posts JSON.stringify
  // of the answer. Measured: one byte over it (the last record's comma), the margin's basis.
  it('the budget counts the bytes the runtime sends, to the byte (one over: a comma for the last record)', async () => {
    for (const raw of [1_000, 100_000, 1024 * 1024]) {
      const response = await createFirehoseTransformHandler({})(kinesisSourced(raw).event);
      const counted = '{"records":[]}'.length + response.records.reduce((sum, r) => sum + outputBytes(r), 0);
      expect(counted - jsonBytes(response)).toBe(1);
    }
  });

  // The budget was 6,000,000 bytes, ~290 KB under Lambda's 6,291,456, and failing records was tried even where
  // it could not reach it: requests Firehose can send (under 6 MiB) had every record failed, the answer still
  // over 6,000,000, while all Ok was under the real limit.
  it('46 records of 100 KB of "é" text (a 6.17 MB request): all Ok, the answer within Lambda’s limit (was: all 46 failed)', async () => {
    const { event } = kinesisSourced(46 * 100_000 - 1, 0, { q: 'é'.repeat(50_000) });
    expect(event.records).toHaveLength(46);
    expect(jsonBytes(event)).toBeLessThan(6 * 1024 * 1024); // a request Firehose may send
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(response.records.map((r) => r.result)).toEqual(event.records.map(() => 'Ok'));
    expect(jsonBytes(response)).toBeGreaterThan(6_000_000);
    expect(jsonBytes(response)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
    expect(logs).toEqual([]);
  });

  it('5 records of 900 KB (a 6.0 MB request): all Ok (was: all 5 failed, the answer still over 6,000,000)', async () => {
    const { event } = kinesisSourced(5 * 900_000, 0, { blob: 'x'.repeat(900_000) });
    expect(event.records).toHaveLength(5);
    expect(jsonBytes(event)).toBeLessThan(6 * 1024 * 1024); // a request Firehose may send
    const response = await createFirehoseTransformHandler({ log: () => undefined })(event);
    expect(response.records.map((r) => r.result)).toEqual(event.records.map(() => 'Ok'));
    expect(jsonBytes(response)).toBeGreaterThan(6_000_000);
    expect(jsonBytes(response)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
  });

  it('an answer failing cannot bring within the limit is sent as it is, every record Ok, with an error line saying why', async () => {
    // Larger than a request Lambda takes: even all failed, the answer (each record's own data) is over.
    const { event } = kinesisSourced(8 * 900_000, 0, { blob: 'x'.repeat(900_000) });
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(response.records.map((r) => r.result)).toEqual(event.records.map(() => 'Ok'));
    expect(logs).toEqual([
      {
        level: 'error',
        msg: expect.stringMatching(/even with every record answered ProcessingFailed: answered as it is/) as unknown,
        fields: expect.objectContaining({ records: 8, processing_failed_for_size: 0, max_response_bytes: FIREHOSE_RESPONSE_MAX_BYTES }) as unknown,
      },
    ]);
  });
});
