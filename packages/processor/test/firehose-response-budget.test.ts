import { describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, type FirehoseTransformationEvent } from '../src';
import { FIREHOSE_RESPONSE_MAX_BYTES, overBudget } from '../src/lambda/firehose-response-budget';
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

describe('Firehose transformation: the response stays within Lambda’s 6 MB', () => {
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
    const records = Array.from({ length: 6_200 }, (_, i) => ({ ...one, recordId: `bad-${i}` }));
    const event = { ...sample, records };
    expect(jsonBytes(event)).toBeLessThan(6 * 1024 * 1024);
    const logs: Logged[] = [];
    const response = await createFirehoseTransformHandler({ badRowsStream: 'events-bad', log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }) })(event);
    expect(jsonBytes(response)).toBeLessThanOrEqual(FIREHOSE_RESPONSE_MAX_BYTES);
    expect(response.records[0]!.result).toBe('Ok');
    expect(response.records.at(-1)).toEqual({ recordId: 'bad-6199', result: 'ProcessingFailed', data: one.data });
    expect(logs.map((l) => l.level)).toEqual(['error']);
  });

  it('overBudget fails the last records that shrink the answer, and none when it fits', () => {
    expect(overBudget([10, 10, 10], [5, 5, 5], 100)).toEqual(new Set());
    expect(overBudget([40, 40, 40], [5, 5, 5], 100)).toEqual(new Set([2]));
    // A record whose output is no larger failed than transformed is not failed for size.
    expect(overBudget([40, 40, 5, 40], [5, 5, 5, 5], 70)).toEqual(new Set([3, 1]));
  });
});
