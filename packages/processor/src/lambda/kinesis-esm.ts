import type { InputRecord } from '../core/process';
import { claimCandidates, leaveOutDelivered } from '../dedupe/leave-out-delivered';
import { releaseClaims } from '../dedupe/release-claims';
import type { SeenCandidate, SeenIndex } from '../dedupe/seen-index';
import { deliverPrepared, prepareRecords, type DeliveryOptions } from '../delivery/deliver';
import type { Sink } from '../delivery/sink';
import { errorFields, errorReason, type Logger } from '../log';
import type { KinesisBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from './aws-events';
import { arrivalTimeOf } from './arrival-time';
import { KinesisBatchFailedError, type ShardFailure } from './batch-failed-error';
import { checkKinesisEvent } from './event-shape';
import { LOGGED_REASONS, shortReason } from './failure-log';
import { lambdaInputOf } from './source-stream';

export interface KinesisEsmHandlerOptions {
  sink: Sink;
  delivery?: DeliveryOptions;
  /** Event ids delivered by earlier batches (DynamoDB); none = dedupe within each batch only. */
  seen?: SeenIndex;
  /**
   * The ingest's bad-rows stream (its BAD_ROWS_STREAM_NAME): records whose `eventSourceARN` names it
   * are the ingest's rejections and become `ingest_<code>` bad rows; records of any other stream are events.
   */
  badRowsStream?: string;
  log?: Logger;
}

export type KinesisEsmHandler = (event: KinesisStreamEvent) => Promise<KinesisBatchResponse>;

/**
 * Lambda handler for a Kinesis event source mapping (with or without ReportBatchItemFailures).
 * Records are grouped by shard and delivered like one consumer flush. Bad records become bad rows
 * (not failures: retrying cannot fix them). Records from the `badRowsStream` are the ingest's
 * rejections, delivered as `ingest_<code>` bad rows. When the delivery of any shard fails (AWS sends
 * one shard per invocation), the handler throws KinesisBatchFailedError, naming the failed shards and
 * their first sequence numbers: Lambda retries the whole batch, whether or not the mapping reports
 * batch item failures (a partial answer it would ignore without them, and checkpoint past records
 * never written). `batchItemFailures` is therefore always empty. The retry starts at the same first
 * record of each shard, and as every file is named after it, it overwrites what the failed attempt
 * (and a shard delivered in it) wrote.
 * With a seen index, events an earlier batch delivered are left out, claimed before any file is
 * written; a retry finds its own claims (same records) and keeps those events. A failed delivery
 * releases its claims, so that if Lambda gives the batch up, later resends of its events still land.
 */
export function createKinesisEsmHandler(options: KinesisEsmHandlerOptions): KinesisEsmHandler {
  const log = options.log ?? (() => undefined);
  const delivery = options.delivery ?? {};
  return async function kinesisEsmHandler(event) {
    const failures: ShardFailure[] = [];
    const shards = byShard(checkKinesisEvent(event).Records);
    for (const { shardId, sourceArn, records } of shards) {
      const first = records[0]?.kinesis.sequenceNumber;
      // An explicit `delivery.input` wins; else the source stream decides.
      const input = delivery.input ?? lambdaInputOf(sourceArn, options.badRowsStream);
      // The ingest's rejections are bad rows, not events: nothing to claim or dedupe.
      const seen = input === 'events' ? options.seen : undefined;
      let claimed: SeenCandidate[] = [];
      try {
        const prepared = prepareRecords(records.map(toInputRecord), { ...delivery, input });
        if (seen) claimed = claimCandidates(prepared);
        const fresh = seen ? await leaveOutDelivered(seen, shardId, prepared) : { records: prepared, leftOut: [] };
        await deliverPrepared(shardId, fresh.records, options.sink, delivery, first);
        if (fresh.leftOut.length > 0) {
          log('info', 'left out events an earlier batch delivered', { shard: shardId, count: fresh.leftOut.length, events: fresh.leftOut.slice(0, 10) });
        }
      } catch (error) {
        log('error', 'delivery failed; Lambda retries from the first record', { shard: shardId, first_sequence_number: first, ...errorFields(error) });
        if (seen) await releaseClaims(seen, shardId, claimed, log);
        if (first !== undefined) failures.push({ shardId, firstSequenceNumber: first, error });
      }
    }
    const [failed, ...more] = failures;
    logFailedRecords(shards, failures, log);
    // Any failed shard throws, also when others were delivered: a resolved answer naming it in
    // batchItemFailures is checkpointed as a success by a mapping without ReportBatchItemFailures,
    // and the handler cannot see the mapping's settings. The whole batch is retried; the delivered
    // shards' files are written again under the same names (their first records are the same).
    if (failed !== undefined) throw new KinesisBatchFailedError([failed, ...more]);
    return { batchItemFailures: [] };
  };
}

/**
 * One line per batch that failed (thrown): Lambda delivers its records again, every shard's, so the
 * operator must see how many repeat and why; the first few failed shards' reasons are named.
 */
function logFailedRecords(shards: readonly { shardId: string; records: readonly KinesisStreamRecord[] }[], failures: readonly ShardFailure[], log: Logger): void {
  if (failures.length === 0) return;
  const records = shards.reduce((sum, s) => sum + s.records.length, 0);
  log('warn', 'batch records reported failed; Lambda delivers them again', {
    records,
    failed_records: records,
    shards: shards.length,
    failed_shards: failures.length,
    reported_as: 'KinesisBatchFailedError',
    reasons: failures.slice(0, LOGGED_REASONS).map((f) => ({
      shard: f.shardId,
      first_sequence_number: f.firstSequenceNumber,
      reason: shortReason(errorReason(f.error)),
    })),
  });
}

/** Records grouped by shard, in order. One mapping feeds an invocation, so all share one stream; keyed by it too all the same. */
function byShard(records: readonly KinesisStreamRecord[]): { shardId: string; sourceArn: string; records: KinesisStreamRecord[] }[] {
  const shards = new Map<string, { shardId: string; sourceArn: string; records: KinesisStreamRecord[] }>();
  for (const record of records) {
    const shardId = record.eventID.split(':')[0] ?? 'unknown';
    const key = `${record.eventSourceARN}\n${shardId}`;
    const group = shards.get(key);
    if (group) group.records.push(record);
    else shards.set(key, { shardId, sourceArn: record.eventSourceARN, records: [record] });
  }
  return [...shards.values()];
}

function toInputRecord(record: KinesisStreamRecord): InputRecord {
  return {
    data: Buffer.from(record.kinesis.data, 'base64'),
    partitionKey: record.kinesis.partitionKey,
    sequenceNumber: record.kinesis.sequenceNumber,
    // Seconds, with fractions; a missing one gives NaN and no arrival time.
    arrivalTime: arrivalTimeOf(Math.round(record.kinesis.approximateArrivalTimestamp * 1000)),
  };
}
