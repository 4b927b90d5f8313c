import { processRecords, type ProcessOptions } from '../core/process';
import { eventContext } from '../delivery/partition';
import type { FirehoseTransformationEvent, FirehoseTransformationRecord, FirehoseTransformationResponse } from './aws-events';

export type FirehoseTransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResponse>;

/**
 * Firehose data-transformation Lambda: every recordId comes back. A valid event becomes `Ok`
 * with the flattened row as one NDJSON line and `metadata.partitionKeys` (app_id, event_date,
 * hour) for dynamic partitioning, e.g. the prefix
 * `events/app_id=!{partitionKeyFromLambda:app_id}/event_date=!{partitionKeyFromLambda:event_date}/hour=!{partitionKeyFromLambda:hour}/`.
 * A repeated event_id within the invocation is `Dropped`; anything invalid is
 * `ProcessingFailed` with its original data, which Firehose writes under its error prefix.
 */
export function createFirehoseTransformHandler(options: ProcessOptions = {}): FirehoseTransformHandler {
  return function firehoseTransformHandler(event) {
    const seen = new Set<string>();
    const records = event.records.map((record) => transformOne(record, seen, options));
    return Promise.resolve({ records });
  };
}

function transformOne(record: FirehoseTransformationRecord, seen: Set<string>, options: ProcessOptions): FirehoseTransformationResponse['records'][number] {
  const meta = record.kinesisRecordMetadata;
  const { rows, badRows } = processRecords(
    [
      {
        data: Buffer.from(record.data, 'base64'),
        partitionKey: meta?.partitionKey ?? '',
        sequenceNumber: meta?.sequenceNumber ?? record.recordId,
        arrivalTime: new Date(record.approximateArrivalTimestamp),
      },
    ],
    options,
  );
  if (badRows.length > 0 || rows.length === 0) return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
  const fresh = rows.filter((row) => !seen.has(row.event_id));
  if (fresh.length === 0) return { recordId: record.recordId, result: 'Dropped', data: record.data };
  for (const row of fresh) seen.add(row.event_id);
  const first = fresh[0]!;
  const at = eventContext(first).timestamp.toISOString();
  return {
    recordId: record.recordId,
    result: 'Ok',
    data: Buffer.from(fresh.map((row) => JSON.stringify(row) + '\n').join(''), 'utf8').toString('base64'),
    metadata: { partitionKeys: { app_id: first.app_id, event_date: at.slice(0, 10), hour: at.slice(11, 13) } },
  };
}
