import type { FirehoseTransformationEvent, KinesisStreamEvent } from './aws-events';

/** An event of a kind the handler does not serve: the invocation fails with this, naming what came and which handler takes it. */
export class UnsupportedEventError extends Error {
  override readonly name = 'UnsupportedEventError';
}

const asObject = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined);

/** What the event looks like, for the error: the handler it belongs to when it is one we know. */
function describe(event: Record<string, unknown> | undefined): string {
  if (event === undefined) return 'not an object';
  if (Array.isArray(event.records) && typeof event.deliveryStreamArn === 'string') return 'a Firehose transformation event: use firehoseHandler';
  const first = Array.isArray(event.Records) ? asObject(event.Records[0]) : undefined;
  if (first !== undefined && asObject(first.kinesis) !== undefined) return 'a Kinesis event source mapping event: use kinesisHandler';
  if (first !== undefined) return `records of ${typeof first.eventSource === 'string' ? first.eventSource : 'another source'} (an SQS, DynamoDB or S3 event?)`;
  const keys = Object.keys(event);
  return keys.length === 0 ? 'an empty event, as a console test invoke sends' : `keys ${keys.slice(0, 8).join(', ')}`;
}

/**
 * A Kinesis event source mapping's event, or an UnsupportedEventError. Without the check, a Firehose
 * event (or SQS records) sent to kinesisHandler failed on a TypeError from deep inside the handler,
 * and each retry the same way, with nothing saying the wiring was wrong.
 */
export function checkKinesisEvent(event: unknown): KinesisStreamEvent {
  const e = asObject(event);
  const records = e?.Records;
  const ok = Array.isArray(records) && records.every((r) => {
    const record = asObject(r);
    const kinesis = asObject(record?.kinesis);
    return typeof record?.eventID === 'string' && typeof record.eventSourceARN === 'string' && typeof kinesis?.data === 'string' && typeof kinesis.sequenceNumber === 'string';
  });
  if (!ok) throw new UnsupportedEventError(`kinesisHandler takes a Kinesis event source mapping's event ({ Records: [{ kinesis, eventID, eventSourceARN }] }); got ${describe(e)}`);
  return event as KinesisStreamEvent;
}

/** A Firehose transformation event, or an UnsupportedEventError (see checkKinesisEvent). */
export function checkFirehoseEvent(event: unknown): FirehoseTransformationEvent {
  const e = asObject(event);
  const records = e?.records;
  const ok = Array.isArray(records) && records.every((r) => typeof asObject(r)?.recordId === 'string' && typeof asObject(r)?.data === 'string');
  if (!ok) throw new UnsupportedEventError(`firehoseHandler takes a Firehose transformation event ({ records: [{ recordId, data }] }); got ${describe(e)}`);
  return event as FirehoseTransformationEvent;
}
