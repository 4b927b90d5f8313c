import { dedupeKey } from '../core/dedupe-key';
import type { LakeRow } from '../core/lake-row';
import { processRecords, type ProcessOptions } from '../core/process';
import { releaseClaims } from '../dedupe/release-claims';
import type { SeenCandidate, SeenIndex } from '../dedupe/seen-index';
import type { Logger } from '../log';
import type { FirehoseTransformationEvent, FirehoseTransformationRecord, FirehoseTransformationResponse } from './aws-events';
import { arrivalTimeOf } from './arrival-time';
import { checkFirehoseEvent } from './event-shape';
import { transformIngestBadRows } from './firehose-bad-rows';
import { fitsResponse, OVER_BUDGET_MSG, OVER_BUDGET_REASON, outputBytes, overBudget, overBudgetFields, processingFailed, UNFITTABLE_MSG } from './firehose-response-budget';
import { LOGGED_REASONS, shortReason } from './failure-log';
import { mixedPartitionsReason, partitionKeysOf } from './firehose-partition-keys';
import { recordIdentity } from './firehose-record-identity';
import { lambdaInputOf } from './source-stream';

export interface FirehoseTransformOptions extends ProcessOptions {
  /**
   * Event ids delivered by earlier invocations (DynamoDB, with conditional writes: nothing says
   * Firehose never transforms two batches of one shard at once). Used for records from a Kinesis
   * source (`kinesisRecordMetadata`); none = dedupe within each invocation only.
   */
  seen?: SeenIndex;
  /**
   * The ingest's bad-rows stream (its BAD_ROWS_STREAM_NAME): an invocation whose
   * `sourceKinesisStreamArn` names it carries the ingest's rejections (see transformIngestBadRows).
   */
  badRowsStream?: string;
  log?: Logger;
}

export type FirehoseTransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResponse>;

type Output = FirehoseTransformationResponse['records'][number];

/** One record after processing: its rows, or none (and why) when it is invalid. */
interface Transformed {
  record: FirehoseTransformationRecord;
  rows: LakeRow[] | undefined;
  /** Set with `rows` undefined: why the record is `ProcessingFailed`. */
  reason?: string;
  /** Set with `reason`: its kind, counted per invocation (a bad row's `error_type`, `no_event`, `response_size`). */
  failedAs?: string;
  /** Its answer, built from `rows` once (to measure the response, then to send it); unset when `rows` change. */
  output?: Output;
}

/**
 * Firehose data-transformation Lambda: every recordId comes back. A valid event becomes `Ok`
 * with the flattened row as one NDJSON line and `metadata.partitionKeys` (app_id, event_date,
 * hour) for dynamic partitioning, e.g. the prefix
 * `events/app_id=!{partitionKeyFromLambda:app_id}/event_date=!{partitionKeyFromLambda:event_date}/hour=!{partitionKeyFromLambda:hour}/`.
 * From the ingest's bad-rows stream, every record is `Ok` as a bad row instead (transformIngestBadRows).
 * A repeated event (app_id and event_id) within the invocation is `Dropped`, and so is, with a seen index, one an
 * earlier invocation delivered from another record; anything invalid is `ProcessingFailed` with its
 * original data, which Firehose writes under its error prefix. A failed claim fails the invocation
 * (Firehose retries it).
 */
export function createFirehoseTransformHandler(options: FirehoseTransformOptions = {}): FirehoseTransformHandler {
  const log = options.log ?? (() => undefined);
  return async function firehoseTransformHandler(event) {
    checkFirehoseEvent(event);
    if (lambdaInputOf(event.sourceKinesisStreamArn, options.badRowsStream) === 'ingest-bad-rows') return transformIngestBadRows(event, options.now, log);
    const transformed = event.records.map((record) => transformOne(record, options));
    const seen = new Set<string>();
    for (const t of transformed) {
      t.rows = t.rows?.filter((row) => {
        const key = dedupeKey(row);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    // Before any claim: a record failed for size after its events were claimed would keep their resends out.
    fitResponse(transformed, log);
    if (options.seen) {
      const leftOut = await leaveOutClaimed(options.seen, transformed, log);
      if (leftOut.length > 0) log('info', 'left out events an earlier invocation delivered', { count: leftOut.length, events: leftOut.slice(0, 10) });
    }
    const records = transformed.map(outputOf);
    logProcessingFailed(transformed, records, log);
    return { records };
  };
}

/**
 * One line per invocation that answers any `ProcessingFailed`: Firehose writes those records under
 * its error prefix (and they may come back, re-sent), so the operator must see how many and why,
 * here, without reading the error objects. Counts of every result, and the first few failures'
 * reasons with their recordId. Those failed for size (the last records) have a count of their own: a
 * batch's first invalid records filled the reasons list and hid them.
 */
function logProcessingFailed(transformed: readonly Transformed[], records: readonly Output[], log: Logger): void {
  const failed = transformed.filter((t) => t.rows === undefined);
  if (failed.length === 0) return;
  const count = (result: Output['result']): number => records.filter((r) => r.result === result).length;
  log('warn', 'records answered ProcessingFailed; Firehose writes them under its error prefix', {
    records: records.length,
    ok: count('Ok'),
    dropped: count('Dropped'),
    processing_failed: failed.length,
    processing_failed_for_size: failed.filter((t) => t.reason === OVER_BUDGET_REASON).length,
    // Every failure counted by kind: the reasons below are only the first few, and Firehose's error objects hold none.
    processing_failed_by_type: countBy(failed.map((t) => t.failedAs ?? 'unknown')),
    reasons: failed.slice(0, LOGGED_REASONS).map((t) => ({ record_id: t.record.recordId, reason: shortReason(t.reason ?? 'unknown') })),
  });
}

/**
 * Fails the last records whose output would take the response past Lambda's limit (see overBudget); none,
 * and an error line, when failing cannot make it fit.
 * A record transformed now may still be `Dropped` by a claim, which answers its original data: it is
 * counted at the larger of the two.
 */
function fitResponse(transformed: Transformed[], log: Logger): void {
  const failedOutputs = transformed.map((t) => processingFailed(t.record));
  const failedBytes = failedOutputs.map(outputBytes);
  const bytes = transformed.map((t, i) => Math.max(outputBytes(outputOf(t)), failedBytes[i]!));
  const failed = overBudget(bytes, failedBytes);
  if (failed.size === 0) {
    if (!fitsResponse(bytes)) log('error', UNFITTABLE_MSG, overBudgetFields(0, transformed.length, bytes.reduce((sum, b) => sum + b, 0)));
    return;
  }
  for (const i of failed) Object.assign(transformed[i]!, { rows: undefined, reason: OVER_BUDGET_REASON, failedAs: 'response_size', output: failedOutputs[i] });
  log('error', OVER_BUDGET_MSG, overBudgetFields(failed.size, transformed.length, bytes.reduce((sum, b) => sum + b, 0)));
}

function transformOne(record: FirehoseTransformationRecord, options: ProcessOptions): Transformed {
  const meta = record.kinesisRecordMetadata;
  const { rows, badRows } = processRecords(
    [
      {
        data: Buffer.from(record.data, 'base64'),
        partitionKey: meta?.partitionKey ?? '',
        sequenceNumber: meta?.sequenceNumber ?? record.recordId,
        arrivalTime: arrivalTimeOf(record.approximateArrivalTimestamp),
      },
    ],
    options,
  );
  const bad = badRows[0];
  if (bad !== undefined) return { record, rows: undefined, reason: `${bad.error_type}: ${bad.reason}`, failedAs: bad.error_type };
  // A KPL aggregate of no sub-record: nothing to deliver, and nothing explains it but this.
  if (rows.length === 0) return { record, rows: undefined, reason: 'the record holds no event', failedAs: 'no_event' };
  // Before any dedupe: the record fails whole, and its events stay free for a resend that fits one partition.
  const mixed = mixedPartitionsReason(rows);
  if (mixed !== undefined) return { record, rows: undefined, reason: mixed, failedAs: 'mixed_partitions' };
  return { record, rows };
}

/**
 * Claim each shard's rows as their record's (recordIdentity; Kinesis source only: a Direct PUT record has no lasting identity) and
 * drop those another record holds. A failed claim releases what this invocation claimed before it
 * fails the invocation: should Firehose's retries run out, the records go to its error prefix, and
 * their claims must not keep later resends of these events out of the lake.
 */
async function leaveOutClaimed(index: SeenIndex, transformed: Transformed[], log: Logger): Promise<string[]> {
  const byShard = new Map<string, { candidates: SeenCandidate[]; holders: Transformed[] }>();
  for (const t of transformed) {
    const meta = t.record.kinesisRecordMetadata;
    if (meta === undefined || t.rows === undefined || t.rows.length === 0) continue;
    let shard = byShard.get(meta.shardId);
    if (shard === undefined) byShard.set(meta.shardId, (shard = { candidates: [], holders: [] }));
    shard.holders.push(t);
    const identity = recordIdentity(meta);
    for (const row of t.rows) shard.candidates.push({ key: dedupeKey(row), sequenceNumber: identity });
  }
  const leftOut: string[] = [];
  for (const [shardId, { candidates, holders }] of byShard) {
    let delivered: Set<string>;
    try {
      delivered = await index.claim(shardId, candidates);
    } catch (error) {
      for (const [releasedShard, { candidates: claimed }] of byShard) await releaseClaims(index, releasedShard, claimed, log);
      throw error;
    }
    if (delivered.size === 0) continue;
    for (const t of holders) {
      const rows = t.rows ?? [];
      const kept = rows.filter((row) => !delivered.has(dedupeKey(row)));
      if (kept.length < rows.length) Object.assign(t, { rows: kept, output: undefined });
    }
    leftOut.push(...candidates.map((c) => c.key).filter((key) => delivered.has(key)));
  }
  return leftOut;
}

function countBy(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function outputOf(t: Transformed): Output {
  return (t.output ??= toOutput(t));
}

function toOutput({ record, rows }: Transformed): Output {
  if (rows === undefined) return processingFailed(record);
  const first = rows[0];
  if (first === undefined) return { recordId: record.recordId, result: 'Dropped', data: record.data };
  return {
    recordId: record.recordId,
    result: 'Ok',
    data: Buffer.from(rows.map((row) => JSON.stringify(row) + '\n').join(''), 'utf8').toString('base64'),
    // Every row has these keys: a record whose rows differ in them failed in transformOne.
    metadata: { partitionKeys: { ...partitionKeysOf(first) } },
  };
}
