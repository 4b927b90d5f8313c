import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { InputRecord } from '../core/process';
import { deliverPrepared, prepareRecords, type DeliveryOptions } from '../delivery/deliver';
import type { Sink } from '../delivery/sink';
import { errorFields, type Logger } from '../log';
import type { CheckpointStore, ShardCheckpoint } from './checkpoint-store';
import { leaveOutDelivered } from '../dedupe/leave-out-delivered';
import type { SeenIndex } from '../dedupe/seen-index';
import { addRecords, dropRecords, emptyBuffer, isDue, reaches, recordsThrough, flushThrough } from './shard-buffer';
import { backoffMs, sleep } from '../sleep';
import type { ConsumerObserver, ConsumerOperation } from './observer';

export interface ShardReaderOptions {
  client: KinesisClient;
  streamName: string;
  shardId: string;
  start: ShardCheckpoint | undefined;
  sink: Sink;
  /** Format, prefixes, PII policy, versions and row sink for each flush. */
  delivery: DeliveryOptions;
  checkpoints: CheckpointStore;
  /** Event ids delivered by earlier flushes (all shards); none = dedupe within each flush only. */
  seen?: SeenIndex;
  limits: { maxBytes: number; maxPartitions: number; maxAgeMs: number; pollIntervalMs: number };
  /** Told every read, flush and failure (the stats and the metrics). */
  observer: ConsumerObserver;
  log: Logger;
  /** Aborted by stop(): the reader stops reading, then flushes what it holds. */
  signal: AbortSignal;
  /**
   * Aborted by a draining stop(): the reader goes on to the shard's tip as of that moment, then stops
   * reading and flushes what it holds. `signal` still ends it at once.
   */
  drain?: AbortSignal;
  /** When the drain began (ms since the epoch): a page with a record that arrived at or after it is past the tip to reach. */
  drainStartedAt?: () => number | undefined;
}

const FINAL_FLUSH_ATTEMPTS = 3;
/** 1 s / 5: GetRecords calls Kinesis allows per second per shard. */
const DRAIN_PAUSE_MS = 200;

/**
 * Read one shard from its checkpoint, buffer, flush when due, checkpoint after each durable
 * flush. Resolves 'ended' when a closed shard is fully delivered, 'stopped' after stop().
 * Read and write failures are logged and retried with backoff; only a failed final flush rejects.
 */
export async function runShardReader(o: ShardReaderOptions): Promise<'ended' | 'stopped'> {
  const buffer = emptyBuffer();
  let lastReadSeq = o.start?.sequenceNumber ?? null;
  let committed = o.start?.sequenceNumber ?? null;
  // A flush range saved before its files were written. After a crash the replay flushes exactly
  // this range again, so the files get the same names and overwrite instead of duplicating.
  let announced = o.start?.pendingThrough ?? undefined;
  let iterator: string | undefined;
  let ended = false;
  let failures = 0;
  // A drain that begins wakes the reader from its pause between reads (read now, not a poll interval later).
  const pauseEnds = o.drain ? AbortSignal.any([o.signal, o.drain]) : o.signal;
  // The call in progress, so a failure is counted under the operation that failed.
  let operation: ConsumerOperation = 'get_records';

  const flushDue = (): boolean => {
    if (buffer.records.length === 0) return false;
    if (announced !== undefined) return ended || reaches(buffer, announced);
    return ended || isDue(buffer, o.limits, Date.now());
  };

  /**
   * The announced range's records were trimmed by the stream's retention before this run re-read
   * them (the processor was down longer than the retention): they were never delivered and cannot
   * be. Said loudly and counted, then forgotten, so that the shard goes on.
   */
  const pendingRangeExpired = (): void => {
    o.log('error', "a pending range's records expired from the stream before they were delivered (the stream's retention trimmed them); they are lost", {
      stream: o.streamName,
      shard: o.shardId,
      checkpoint: committed,
      pending_through: announced,
      first_record_read: buffer.records[0]?.sequenceNumber ?? null,
    });
    o.observer.pendingRangeExpired(o.shardId);
    announced = undefined;
  };

  const flush = async (): Promise<void> => {
    // At most maxBytes per partition per flush (Firehose's size hint): one big GetRecords page becomes several files.
    // At most maxPartitions files per flush (Firehose's active-partition quota): the rest goes in the next flush.
    // An announced range is replayed whole even when an older version saved it with more partitions
    // (the files are written through a small pool, so any number of them delivers).
    const through = announced ?? flushThrough(buffer, o.limits.maxBytes, o.limits.maxPartitions);
    if (through === undefined) return;
    const started = performance.now();
    if (announced === undefined) {
      operation = 'checkpoint';
      await o.checkpoints.save(o.shardId, { sequenceNumber: committed, ended: false, pendingThrough: through });
      announced = through;
    }
    const records = recordsThrough(buffer, through);
    const last = records.at(-1);
    if (!last) {
      // The announced records are gone (trimmed by retention): nothing to reproduce, and nothing to deliver.
      pendingRangeExpired();
      return;
    }
    // Claimed before any file of this flush is written (and again, with the same answer, on a replay).
    operation = 'seen_index';
    const fresh = o.seen ? await leaveOutDelivered(o.seen, o.shardId, records) : { records, leftOut: [] };
    operation = 'deliver';
    const result = await deliverPrepared(o.shardId, fresh.records, o.sink, o.delivery);
    operation = 'checkpoint';
    await o.checkpoints.save(o.shardId, { sequenceNumber: last.sequenceNumber, ended: false });
    committed = last.sequenceNumber;
    announced = undefined;
    dropRecords(buffer, records.length);
    o.observer.flushed(o.shardId, {
      rowsDelivered: result.rowsDelivered,
      badRows: result.badRowTypes,
      duplicates: result.duplicates,
      alreadyDelivered: fresh.leftOut.length,
      files: result.files,
      durationSeconds: (performance.now() - started) / 1000,
      checkpointedAt: Date.now(),
    });
    o.observer.buffered(o.shardId, buffer.records.length);
    if (fresh.leftOut.length > 0) {
      o.log('info', 'left out events an earlier flush delivered', {
        stream: o.streamName,
        shard: o.shardId,
        count: fresh.leftOut.length,
        events: fresh.leftOut.slice(0, 10),
      });
    }
  };

  while (!o.signal.aborted) {
    try {
      if (flushDue()) {
        await flush();
        failures = 0;
        continue;
      }
      if (ended) {
        // A closed shard read to its end without reaching the announced range: trimmed too.
        if (announced !== undefined) pendingRangeExpired();
        operation = 'checkpoint';
        await o.checkpoints.save(o.shardId, { sequenceNumber: lastReadSeq, ended: true });
        o.log('info', 'shard ended', { stream: o.streamName, shard: o.shardId });
        o.observer.shardEnded(o.shardId);
        return 'ended';
      }
      operation = 'get_shard_iterator';
      iterator ??= await shardIterator(o, lastReadSeq);
      operation = 'get_records';
      const page = await o.client.send(new GetRecordsCommand({ ShardIterator: iterator }), { abortSignal: o.signal });
      const records = toInputRecords(page.Records ?? []);
      // Processed as read, so the buffer knows each row's partition (the hints apply per partition).
      addRecords(buffer, prepareRecords(records, o.delivery), Date.now());
      o.observer.recordsRead(o.shardId, records.length, page.MillisBehindLatest);
      o.observer.buffered(o.shardId, buffer.records.length);
      lastReadSeq = records.at(-1)?.sequenceNumber ?? lastReadSeq;
      iterator = page.NextShardIterator;
      ended = iterator === undefined || iterator === null;
      failures = 0;
      if (o.drain?.aborted && !ended && drainedToTip(records, page.MillisBehindLatest, o.drainStartedAt?.())) break;
      // Draining, the pause is at most Kinesis' own pace (5 reads a second per shard): the stop waits on it.
      if (!ended) await sleep(o.drain?.aborted ? Math.min(o.limits.pollIntervalMs, DRAIN_PAUSE_MS) : o.limits.pollIntervalMs, o.drain?.aborted ? o.signal : pauseEnds);
    } catch (error) {
      if (o.signal.aborted) break;
      failures += 1;
      o.observer.failed(o.shardId, operation);
      // Re-fetch the iterator after the last record read: safe for any failure, and the only cure for an expired one.
      iterator = undefined;
      const retryInMs = backoffMs(failures);
      o.log('error', 'shard read or delivery failed; retrying', {
        stream: o.streamName,
        shard: o.shardId,
        attempt: failures,
        retry_in_ms: retryInMs,
        buffered_records: buffer.records.length,
        ...errorFields(error),
        ...(operation === 'get_shard_iterator' && isForeignCheckpoint(error) ? { hint: FOREIGN_CHECKPOINT_HINT } : {}),
      });
      await sleep(retryInMs, o.signal);
    }
  }
  if (announced !== undefined && !reaches(buffer, announced)) {
    // Mid-replay of an announced range: a partial flush would get a different name. Re-read next start.
    o.log('info', 'stopping before the announced range was re-read; it stays pending', { stream: o.streamName, shard: o.shardId });
  } else {
    await finalFlush(o, async () => {
      while (buffer.records.length > 0) await flush();
    }, () => operation);
  }
  return 'stopped';
}

/**
 * Drained (a closed shard goes on to its end mark instead): the page found the tip (no records, nothing
 * behind), or it holds a record that arrived once the drain began, so every record the shard held at the
 * stop is read. The second keeps a producer that goes on writing from holding the stop to its limit.
 * MillisBehindLatest 0 alone is not enough on a page with records: kinesalite says 0 on every page of an
 * open shard. Arrival times are the stream's clock: a clock behind this one reads a little on, one ahead
 * may leave the last records before the stop for the next start (as at any stop).
 */
function drainedToTip(records: InputRecord[], millisBehindLatest: number | undefined, drainStartedAt: number | undefined): boolean {
  if (records.length === 0) return !millisBehindLatest;
  const lastArrival = records.at(-1)?.arrivalTime?.getTime();
  return drainStartedAt !== undefined && lastArrival !== undefined && lastArrival >= drainStartedAt;
}

async function finalFlush(o: ShardReaderOptions, flush: () => Promise<void>, failedOperation: () => ConsumerOperation): Promise<void> {
  const neverAborted = new AbortController().signal;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await flush();
      return;
    } catch (error) {
      o.observer.failed(o.shardId, failedOperation());
      o.log('error', 'final flush failed', { stream: o.streamName, shard: o.shardId, attempt, ...errorFields(error) });
      if (attempt >= FINAL_FLUSH_ATTEMPTS) {
        throw new Error(`shard ${o.shardId}: final flush failed; records after the checkpoint will be re-read on restart`, {
          cause: error,
        });
      }
      await sleep(backoffMs(attempt), neverAborted);
    }
  }
}

const FOREIGN_CHECKPOINT_HINT =
  'the checkpoint holds a sequence number of another stream (this one was deleted and created again, or the checkpoint file belongs to another stream or emulator): no retry can read past it. Stop the consumer and move the checkpoint file (CHECKPOINT_FILE), its copy (CHECKPOINT_FILE.bak) and the hidden temp files next to them (.<name>.tmp-…) away to read the shard from its start (TRIM_HORIZON; with both files gone a start would resume from a whole temp file left; the lake\'s file names and the seen index keep replays from duplicating rows)';

/** Kinesis' (and kinesalite's) answer to GetShardIterator for a sequence number that is not this stream's. */
function isForeignCheckpoint(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidArgumentException' && error.message.includes('did not come from this stream');
}

async function shardIterator(o: ShardReaderOptions, afterSeq: string | null): Promise<string> {
  const out = await o.client.send(
    new GetShardIteratorCommand(
      afterSeq
        ? { StreamName: o.streamName, ShardId: o.shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: afterSeq }
        : { StreamName: o.streamName, ShardId: o.shardId, ShardIteratorType: 'TRIM_HORIZON' },
    ),
    { abortSignal: o.signal },
  );
  if (!out.ShardIterator) throw new Error(`GetShardIterator returned no iterator for ${o.shardId}`);
  return out.ShardIterator;
}

function toInputRecords(
  records: { Data?: Uint8Array; PartitionKey?: string; SequenceNumber?: string; ApproximateArrivalTimestamp?: Date }[],
): InputRecord[] {
  const out: InputRecord[] = [];
  for (const r of records) {
    if (r.SequenceNumber === undefined) throw new Error('GetRecords returned a record without a sequence number');
    out.push({
      data: r.Data ?? new Uint8Array(),
      partitionKey: r.PartitionKey ?? '',
      sequenceNumber: r.SequenceNumber,
      ...(r.ApproximateArrivalTimestamp ? { arrivalTime: r.ApproximateArrivalTimestamp } : {}),
    });
  }
  return out;
}
