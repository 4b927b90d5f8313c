import type { InputRecord } from '../core/process';
import { deliverRecords, type DeliveryOptions } from '../delivery/deliver';
import type { Sink } from '../delivery/sink';
import { errorFields, type Logger } from '../log';
import type { KinesisBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from './aws-events';

export interface KinesisEsmHandlerOptions {
  sink: Sink;
  delivery?: DeliveryOptions;
  log?: Logger;
}

export type KinesisEsmHandler = (event: KinesisStreamEvent) => Promise<KinesisBatchResponse>;

/**
 * Lambda handler for a Kinesis event source mapping with ReportBatchItemFailures. Records are
 * grouped by shard and delivered like one consumer flush. Bad records become bad rows (not
 * failures: retrying cannot fix them). When a shard's delivery fails, its first sequence number
 * is reported: Lambda resumes from the lowest failed one, so nothing after it is skipped, and as
 * every file is named after that first record, the retry overwrites what the failed attempt wrote.
 */
export function createKinesisEsmHandler(options: KinesisEsmHandlerOptions): KinesisEsmHandler {
  const log = options.log ?? (() => undefined);
  return async function kinesisEsmHandler(event) {
    const failures: { itemIdentifier: string }[] = [];
    for (const [shardId, records] of byShard(event.Records)) {
      try {
        await deliverRecords(shardId, records.map(toInputRecord), options.sink, options.delivery, 'batch');
      } catch (error) {
        const first = records[0]?.kinesis.sequenceNumber;
        log('error', 'delivery failed; reporting the batch item failure', { shard: shardId, first_sequence_number: first, ...errorFields(error) });
        if (first !== undefined) failures.push({ itemIdentifier: first });
      }
    }
    return { batchItemFailures: failures };
  };
}

function byShard(records: readonly KinesisStreamRecord[]): Map<string, KinesisStreamRecord[]> {
  const shards = new Map<string, KinesisStreamRecord[]>();
  for (const record of records) {
    const shardId = record.eventID.split(':')[0] ?? 'unknown';
    const list = shards.get(shardId);
    if (list) list.push(record);
    else shards.set(shardId, [record]);
  }
  return shards;
}

function toInputRecord(record: KinesisStreamRecord): InputRecord {
  return {
    data: Buffer.from(record.kinesis.data, 'base64'),
    partitionKey: record.kinesis.partitionKey,
    sequenceNumber: record.kinesis.sequenceNumber,
    arrivalTime: new Date(Math.round(record.kinesis.approximateArrivalTimestamp * 1000)),
  };
}
