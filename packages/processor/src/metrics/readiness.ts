import type { ConsumerObserver } from '../consumer/observer';

/**
 * A shard whose last this-many attempts in a row (GetShardIterator, GetRecords or a flush) all
 * failed makes the processor not ready. The backoff between them (backoffMs: half to all of 0.2,
 * 0.4, 0.8, 1.6 s) makes that 1.5 – 3 s plus the calls' own time: one blip does not flip
 * readiness, a dead stream or a full disk does.
 */
export const READINESS_FAILURE_LIMIT = 5;

export type ReadinessState = { ready: true } | { ready: false; reasons: string[] };

export interface Readiness {
  observerFor(stream: string): ConsumerObserver;
  /** Every consumer has started (listed its shards and started their readers). */
  started(): void;
  /** SIGTERM: no longer ready while the final flush runs. */
  stopping(): void;
  state(): ReadinessState;
}

/** Ready once started, until stopping, while no shard has failed READINESS_FAILURE_LIMIT times in a row. */
export function createReadiness(failureLimit = READINESS_FAILURE_LIMIT): Readiness {
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  // `stream/shard` → failed attempts since its last success.
  const failing = new Map<string, number>();

  const observerFor = (stream: string): ConsumerObserver => {
    const key = (shard: string): string => `${stream}/${shard}`;
    const succeeded = (shard: string): void => {
      failing.delete(key(shard));
    };
    return {
      recordsRead: succeeded,
      flushed: succeeded,
      buffered() {},
      failed(shard) {
        // A failed shard re-list only delays new shards after a reshard: it is counted in errors_total, not here.
        if (shard !== undefined) failing.set(key(shard), (failing.get(key(shard)) ?? 0) + 1);
      },
      shardEnded: succeeded,
      pendingRangeExpired() {},
    };
  };

  return {
    observerFor,
    started() {
      if (phase === 'starting') phase = 'running';
    },
    stopping() {
      phase = 'stopping';
    },
    state() {
      if (phase === 'starting') return { ready: false, reasons: ['consumers are starting'] };
      if (phase === 'stopping') return { ready: false, reasons: ['stopping: final flush'] };
      const reasons = [...failing]
        .filter(([, count]) => count >= failureLimit)
        .map(([shard, count]) => `shard ${shard}: last ${count} reads or writes failed`);
      return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
    },
  };
}
