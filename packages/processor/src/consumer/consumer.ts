import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { DeliveryOptions } from '../delivery/deliver';
import { createFolderSink } from '../delivery/folder-sink';
import type { Sink } from '../delivery/sink';
import { errorFields, stderrLogger, type Logger } from '../log';
import { lockCheckpointFile, type CheckpointLock } from './checkpoint-lock';
import { createFileCheckpointStore, type CheckpointStore, type ShardCheckpoint } from './checkpoint-store';
import { closeSeenThenUnlock } from './close-seen-then-unlock';
import { listShards, parentsEnded, type ShardInfo } from './list-shards';
import { openSeenIndex, type SeenIndexOptions } from '../dedupe/seen-index-leveldb';
import type { SeenIndex } from '../dedupe/seen-index';
import { runShardReader } from './shard-reader';
import { sleep } from '../sleep';
import { fanOut, type ConsumerObserver } from './observer';
import { emptyStats, statsObserver, type ConsumerStats } from './stats';

export interface ConsumerConfig {
  kinesis: KinesisClientConfig;
  streamName: string;
  /** Lake root: files go under `events/` and `bad_rows/`. */
  lakeDir: string;
  checkpointFile: string;
  /** Size hint per partition: a shard flushes when one of its partitions holds this much. Default 5 MiB. */
  maxBytes?: number;
  /**
   * Most partitions (files) one flush writes: a flush is cut before the record that would open one
   * more, and the rest goes in the next flush. Default 500, Firehose's active-partition quota.
   */
  maxPartitions?: number;
  /** Interval hint per shard: ...or when the shard's oldest buffered row has waited this long, whatever its partition. Default 60 s. */
  maxAgeMs?: number;
  /** Pause between GetRecords calls per shard (AWS allows 5 per second per shard). Default 200 ms. */
  pollIntervalMs?: number;
  /** How often to re-list shards to pick up new ones after a reshard. Default 30 s. */
  shardRefreshMs?: number;
  logger?: Logger;
  /** Replace the folder sink / file checkpoint store (tests, other backends). */
  sink?: Sink;
  /** Another store than the checkpoint file: then no lock is taken (the store keeps its own writers apart). */
  checkpointStore?: CheckpointStore;
  /**
   * The checkpoint file's lock, already taken by the caller (the Node entry takes it before anything
   * else); released by stop(). Absent with the file store: taken here (a second process on the same
   * file fails with CheckpointInUseError).
   */
  checkpointLock?: CheckpointLock;
  /**
   * Cross-flush dedupe: (app_id, event_id) keys already delivered, kept in LevelDB. Default folder: the
   * checkpoint file's path with `.seen` instead of `.json`. `false`: dedupe within each flush only
   * (always so for `delivery.input: 'ingest-bad-rows'`).
   */
  seenIndex?: Partial<SeenIndexOptions> | false;
  /** Event format (NDJSON.gz or Parquet), prefix expressions, PII policy, versions, row sink (PostgreSQL). */
  delivery?: DeliveryOptions;
  /** Told every read, flush and failure besides `stats()` (the Node entry's metrics and readiness). */
  observer?: ConsumerObserver;
}

export interface StopOptions {
  /**
   * First read every shard to the stream's tip (a page with no records and nothing behind), for at
   * most this long; then stop reading as without it. Default 0: stop reading at once. What the
   * stream holds past the tip reached is read by the next start, as always.
   */
  drainMs?: number;
}

export interface Consumer {
  /** Stop reading (after reading each shard to its tip, with `drainMs`), flush every buffer, save checkpoints, close the client. */
  stop(options?: StopOptions): Promise<void>;
  stats(): ConsumerStats;
}

export const CONSUMER_DEFAULTS = { maxBytes: 5 * 1024 * 1024, maxPartitions: 500, maxAgeMs: 60_000, pollIntervalMs: 200, shardRefreshMs: 30_000 };

/** Start one long-running consumer for one stream. Resolves once every open shard has a reader. */
export async function startConsumer(config: ConsumerConfig): Promise<Consumer> {
  const limits = {
    maxBytes: positive('maxBytes', config.maxBytes ?? CONSUMER_DEFAULTS.maxBytes),
    maxPartitions: positive('maxPartitions', config.maxPartitions ?? CONSUMER_DEFAULTS.maxPartitions),
    maxAgeMs: positive('maxAgeMs', config.maxAgeMs ?? CONSUMER_DEFAULTS.maxAgeMs),
    pollIntervalMs: positive('pollIntervalMs', config.pollIntervalMs ?? CONSUMER_DEFAULTS.pollIntervalMs),
  };
  const refreshMs = positive('shardRefreshMs', config.shardRefreshMs ?? CONSUMER_DEFAULTS.shardRefreshMs);
  const log = config.logger ?? stderrLogger;
  const sink = config.sink ?? createFolderSink(config.lakeDir, { log: config.logger ?? stderrLogger });
  // One process per checkpoint file: two would write the same records under other file names.
  const lock = config.checkpointLock ?? (config.checkpointStore ? undefined : await lockCheckpointFile(config.checkpointFile));
  const checkpoints = config.checkpointStore ?? createFileCheckpointStore(config.checkpointFile, config.streamName, { log });
  let seen: SeenIndex | undefined;
  let saved: Map<string, ShardCheckpoint>;
  try {
    saved = await checkpoints.load();
    // The ingest's rejections are bad rows, not events: nothing to dedupe across flushes.
    const dedupe = config.seenIndex !== false && config.delivery?.input !== 'ingest-bad-rows';
    seen = dedupe ? await openSeenIndex({ dir: seenIndexDir(config.checkpointFile), log, ...config.seenIndex }) : undefined;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const client = new KinesisClient(config.kinesis);
  const abort = new AbortController();
  // A draining stop: readers read to the tip, then stop; `abort` still ends them at its deadline.
  const drain = new AbortController();
  let drainStartedAt: number | undefined;
  const stats = emptyStats();
  const observer = fanOut(statsObserver(stats), config.observer);
  const readers = new Map<string, Promise<'ended' | 'stopped'>>();
  const ended = new Set([...saved].filter(([, c]) => c.ended).map(([id]) => id));
  const failures: unknown[] = [];

  const startReaders = (shards: ShardInfo[]): void => {
    const known = new Set(shards.map((s) => s.shardId));
    for (const shard of shards) {
      if (readers.has(shard.shardId) || ended.has(shard.shardId)) continue;
      if (!parentsEnded(shard, known, ended)) continue;
      readers.set(shard.shardId, startReader(shard.shardId, saved.get(shard.shardId)));
    }
  };

  const startReader = (shardId: string, start: ShardCheckpoint | undefined): Promise<'ended' | 'stopped'> => {
    const run = runShardReader({ client, streamName: config.streamName, shardId, start, sink, delivery: config.delivery ?? {}, checkpoints, ...(seen ? { seen } : {}), limits, observer, log, signal: abort.signal, drain: drain.signal, drainStartedAt: () => drainStartedAt });
    return run.then(
      async (outcome) => {
        if (outcome === 'ended') {
          ended.add(shardId);
          // Draining, the refresher no longer runs: the children of a shard that ended now are started here,
          // before this reader counts as done, so the drain waits for them too.
          if (drain.signal.aborted && !abort.signal.aborted) await startChildrenWhileDraining(shardId);
        }
        return outcome;
      },
      (error: unknown) => {
        failures.push(error);
        return 'stopped' as const;
      },
    );
  };

  try {
    startReaders(await listShards(client, config.streamName));
  } catch (error) {
    client.destroy();
    // The listing's error is the one to report; a failed close is logged, not put in its place.
    await closeSeenThenUnlock(seen, lock).catch((closeError: unknown) =>
      log('error', 'closing the seen index after a failed start failed', { stream: config.streamName, ...errorFields(closeError) }),
    );
    throw new Error(`cannot list shards of stream "${config.streamName}": ${errorFields(error).error as string}`, { cause: error });
  }

  // No new readers once stop() began, draining or not.
  const listing = AbortSignal.any([abort.signal, drain.signal]);
  const refresher = (async () => {
    while (!listing.aborted) {
      await sleep(refreshMs, listing);
      if (listing.aborted) return;
      try {
        startReaders(await listShards(client, config.streamName, listing));
      } catch (error) {
        if (listing.aborted) return;
        observer.failed(undefined, 'list_shards');
        log('error', 'shard re-list failed; will retry', { stream: config.streamName, ...errorFields(error) });
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  const stop = (options: StopOptions = {}): Promise<void> => {
    stopping ??= (async () => {
      const drainMs = options.drainMs ?? 0;
      if (drainMs > 0) await drainReaders(drainMs);
      abort.abort();
      await refresher;
      await allReadersDone();
      client.destroy();
      // Last: the checkpoints are saved, so the next process may take over (also if closing failed).
      await closeSeenThenUnlock(seen, lock);
      if (failures.length > 0) throw new AggregateError(failures, 'consumer stopped with unflushed records (they will be re-read)');
    })();
    return stopping;
  };

  /**
   * One listing during the drain (at its start, and when a shard ends): readers for shards whose parents
   * have all ended (a split or merge just before or during the stop). A failed listing is told with the
   * shards whose children stay unread until the next start.
   */
  const startChildrenWhileDraining = async (endedShard?: string): Promise<void> => {
    try {
      startReaders(await listShards(client, config.streamName, abort.signal));
    } catch (error) {
      if (abort.signal.aborted) return;
      observer.failed(undefined, 'list_shards');
      log('warn', 'shard list during the stop drain failed: the children of ended shards are left for the next start', {
        stream: config.streamName,
        ended_shards: endedShard ? [endedShard] : [...ended],
        ...errorFields(error),
      });
    }
  };

  /** Every reader, those started while waiting included, has stopped or ended. */
  const allReadersDone = async (): Promise<void> => {
    for (let count = -1; count !== readers.size; ) {
      count = readers.size;
      await Promise.all(readers.values());
    }
  };

  /** Readers read to the tip as of now and stop; those still reading at the deadline are stopped as without a drain. */
  const drainReaders = async (drainMs: number): Promise<void> => {
    drainStartedAt = Date.now();
    drain.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), drainMs)));
    // The re-list may not have seen a split that happened shortly before: its children are read too.
    const drained = startChildrenWhileDraining().then(allReadersDone).then(() => 'drained' as const);
    try {
      if ((await Promise.race([drained, deadline])) === 'deadline') {
        log('warn', 'stop drain deadline passed: flushing what was read; the rest of the stream is read by the next start', {
          stream: config.streamName,
          drain_ms: drainMs,
          records_read: stats.recordsRead,
        });
      }
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    stop,
    stats: () => {
      const seenIds = seen?.size();
      return { ...stats, ...(seenIds === undefined ? {} : { seenIds }) };
    },
  };
}

/** `<dir>/events.json` → `<dir>/events.seen` (a LevelDB folder). */
export function seenIndexDir(checkpointFile: string): string {
  return checkpointFile.replace(/\.json$/, '') + '.seen';
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
