import { createBreaker } from './breaker';
import { PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_COUNT, RECORD_MAX_BYTES, recordSize } from './packer';
import { PendingRecords, type PickedCall, type QueuedRecord } from './pending-records';
import type { OutRecord, RecordWriter, WriteOutcome, WriterStats } from './record-writer';

/** One PutRecords call: resolves with the entries that failed; throws when the whole call failed. */
export type PutCall = (stream: string, records: OutRecord[], signal: AbortSignal) => Promise<{ failed: { index: number; code: string }[] }>;

export interface WriterTuning {
  /** How long a record may wait for others to share its PutRecords call. */
  lingerMs: number;
  /** Give up on a record after this long; it is answered `retry`. */
  budgetMs: number;
  /** Over this many bytes queued or in flight, new writes are refused at once. */
  maxBytesInFlight: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** PutRecords calls in flight per stream. */
  maxConcurrentCalls?: number;
}

interface Item extends QueuedRecord {
  attempt: number;
  /** What Kinesis said on the last failed attempt: more useful than "budget spent" alone. */
  lastError?: string;
  /** The put() call this record came in, and its index there. */
  put: PendingPut;
  index: number;
}

/** One put() call waiting for all of its records (no closure per record: this runs for every event). */
interface PendingPut {
  left: number;
  failed: number[];
  lastError?: string;
  resolve: (outcome: WriteOutcome) => void;
}

interface StreamQueue {
  name: string;
  pending: PendingRecords<Item>;
  calls: number;
  /** The flush timer and when it fires: a sooner need re-arms it. */
  timer?: { immediate: ReturnType<typeof setImmediate> } | { timeout: ReturnType<typeof setTimeout> };
  timerAt: number;
}

const NO_ITEMS: Item[] = [];

/**
 * Micro-batching writer: records from concurrent requests share PutRecords calls (≤ 500 records,
 * ≤ 5 MiB) after a short linger. Only failed entries are retried, with full-jitter backoff, within
 * the time budget. Per partition key, a record is never sent while an earlier one of the same key
 * is in flight or waiting to be retried, so retries never let later records overtake across calls;
 * a key's retried records travel together, without its never-sent ones.
 */
export function createBatchingWriter(putCall: PutCall, tuning: WriterTuning, ping: RecordWriter['ping']): RecordWriter {
  const base = tuning.baseDelayMs ?? 50;
  const cap = tuning.maxDelayMs ?? 1000;
  const maxCalls = tuning.maxConcurrentCalls ?? 4;
  const breaker = createBreaker({ failures: tuning.breakerFailures, cooldownMs: tuning.breakerCooldownMs, probeTimeoutMs: tuning.budgetMs });
  const queues = new Map<string, StreamQueue>();
  const stats: WriterStats = { bytesInFlight: 0, recordsQueued: 0, circuitOpen: false, calls: 0, recordsWritten: 0, entryFailures: 0, refused: 0 };
  let closing = false;
  const idle = new Set<() => void>();

  const queueOf = (name: string): StreamQueue => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = { name, pending: new PendingRecords<Item>(), calls: 0, timerAt: 0 }));
    return q;
  };

  function refuse(records: OutRecord[], why: string, retryAfterMs: number): WriteOutcome {
    stats.refused += records.length;
    return { failed: records.map((_, i) => i), lastError: why, retryAfterMs };
  }

  function put(stream: string, records: OutRecord[]): Promise<WriteOutcome> {
    if (records.length === 0) return Promise.resolve({ failed: [] });
    if (closing) return Promise.resolve(refuse(records, 'shutting down', 1000));
    const sizes = records.map(recordSize);
    let bytes = 0;
    for (const size of sizes) bytes += size;
    // An idle writer takes any one write, however large: a cap set below a request's stored size would
    // otherwise refuse that request forever (503 on every resend).
    if (stats.bytesInFlight > 0 && stats.bytesInFlight + bytes > tuning.maxBytesInFlight) return Promise.resolve(refuse(records, 'too many bytes in flight', 1000));
    // Last, so that a write refused for another reason does not take the half-open probe's place.
    const admitted = breaker.admit();
    if (!admitted) {
      const why = breaker.state() === 'open' ? 'circuit open' : 'circuit half-open, a probe write is in flight';
      return Promise.resolve(refuse(records, `${why}: ${breaker.reason() ?? ''}`, breaker.retryAfterMs()));
    }
    return new Promise((resolve) => enqueue(queueOf(stream), records, sizes, resolve));
  }

  function enqueue(q: StreamQueue, records: OutRecord[], sizes: number[], resolve: (o: WriteOutcome) => void): void {
    const put: PendingPut = { left: records.length, failed: [], resolve };
    const deadline = Date.now() + tuning.budgetMs;
    for (let index = 0; index < records.length; index++) {
      const size = sizes[index]!;
      const item: Item = { record: records[index]!, size, attempt: 0, deadline, put, index };
      stats.bytesInFlight += size;
      stats.recordsQueued += 1;
      if (size > RECORD_MAX_BYTES) done(item, false, `record is ${size} bytes, over the 1 MiB Kinesis limit`);
      else q.pending.add(item);
    }
    // Linger only while a call of this stream is already out: then the wait costs nothing (a slot frees
    // soon anyway) and fills the next call; with none out, waiting would only add latency. Writes made
    // in the same event-loop turn still share the call (the timer fires after them).
    schedule(q, q.calls === 0 ? 0 : tuning.lingerMs);
  }

  /** A record is settled: written (`ok`) or given up; its put() resolves with the last of its records. */
  function done(item: Item, ok: boolean, error?: string): void {
    const put = item.put;
    stats.bytesInFlight -= item.size;
    stats.recordsQueued -= 1;
    if (!ok) put.failed.push(item.index);
    if (error) put.lastError = error;
    if (--put.left === 0) put.resolve(put.failed.length ? { failed: put.failed.sort((a, b) => a - b), lastError: put.lastError } : { failed: [] });
    if (stats.recordsQueued === 0) for (const wake of idle) wake();
  }

  const expire = (item: Item): void => done(item, false, item.lastError ? `${item.lastError} (time budget spent)` : 'time budget spent');

  /** Flush the stream in `delayMs`, or sooner if already planned sooner (a backoff timer must not hold back other keys' new records). */
  function schedule(q: StreamQueue, delayMs: number): void {
    const now = Date.now();
    // setImmediate for "now": after this turn's other writes, without setTimeout(0)'s 1 ms floor. A full
    // call's worth goes at once too, but only if some of it may be sent now: records waiting out a
    // backoff count as pending, and re-arming "now" until the backoff ends was a busy loop.
    const soon = delayMs <= 0 || (q.pending.count >= PUT_RECORDS_MAX_COUNT && q.pending.hasReady());
    const at = soon ? now : now + delayMs;
    if (q.timer) {
      if (q.timerAt <= at) return;
      if ('immediate' in q.timer) clearImmediate(q.timer.immediate);
      else clearTimeout(q.timer.timeout);
    }
    const fire = (): void => {
      q.timer = undefined;
      flush(q);
    };
    q.timerAt = at;
    q.timer = soon ? { immediate: setImmediate(fire) } : { timeout: setTimeout(fire, delayMs) };
  }

  function flush(q: StreamQueue): void {
    const now = Date.now();
    while (q.calls < maxCalls) {
      const call = q.pending.pick(now, PUT_RECORDS_MAX_COUNT, PUT_RECORDS_MAX_BYTES, expire);
      if (call.items.length === 0) break;
      void send(q, call);
    }
    // With a call slot free, nothing is ready now: wake up when the first backoff ends. (With none
    // free, the next call to return flushes.)
    const next = q.calls < maxCalls ? q.pending.nextAt() : undefined;
    if (next !== undefined) schedule(q, next - now);
  }

  async function send(q: StreamQueue, call: PickedCall<Item>): Promise<void> {
    const items = call.items;
    q.calls += 1;
    stats.calls += 1;
    // The call is aborted at the budget. A timer cleared when the call returns: AbortSignal.timeout's
    // cannot be cleared, so every call left one behind to fire (and dispatch) seconds later.
    const controller = new AbortController();
    let latest = 0;
    for (const item of items) if (item.deadline > latest) latest = item.deadline;
    const timer = setTimeout(() => controller.abort(new DOMException('the write time budget is spent', 'TimeoutError')), Math.max(1, latest - Date.now()));
    let failures: { index: number; code: string }[];
    let callFailed = false;
    try {
      failures = (await putCall(q.name, items.map((i) => i.record), controller.signal)).failed;
    } catch (error) {
      const code = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failures = items.map((_, index) => ({ index, code }));
      callFailed = true;
    } finally {
      clearTimeout(timer);
    }
    settle(q, call, failures, callFailed);
    q.calls -= 1;
    flush(q);
  }

  /**
   * Only whole-call failures (network, 5xx, timeout) count towards the breaker: per-entry throttling
   * means Kinesis is up and answering, and is handled by retrying those entries.
   */
  function settle(q: StreamQueue, call: PickedCall<Item>, failures: { index: number; code: string }[], callFailed: boolean): void {
    const failedAt = failures.length > 0 ? new Map(failures.map((f) => [f.index, f.code])) : undefined;
    const failedCount = failedAt?.size ?? 0;
    stats.recordsWritten += call.items.length - failedCount;
    stats.entryFailures += failedCount;
    const opened = callFailed ? breaker.failure(failures[0]?.code ?? 'failed') : (breaker.success(), false);
    stats.circuitOpen = breaker.state() === 'open';
    const now = Date.now();
    let i = 0;
    call.keys.forEach((kq, k) => {
      let failed: Item[] | undefined;
      let attempt = 0;
      for (const end = i + call.counts[k]!; i < end; i++) {
        const item = call.items[i]!;
        const code = failedAt?.get(i);
        if (code === undefined) {
          done(item, true);
          continue;
        }
        item.attempt += 1;
        item.lastError = code;
        attempt = Math.max(attempt, item.attempt);
        (failed ??= []).push(item);
      }
      // One backoff per key: its retried records go again together.
      const notBefore = now + Math.random() * Math.min(cap, base * 2 ** attempt);
      const retry = failed?.filter((item) => {
        const keep = !stats.circuitOpen && notBefore < item.deadline;
        if (!keep) done(item, false, item.lastError);
        return keep;
      });
      q.pending.release(kq, retry ?? NO_ITEMS, notBefore);
    });
    if (opened) for (const queue of queues.values()) queue.pending.drain((item) => done(item, false, `circuit open: ${breaker.reason() ?? ''}`));
  }

  return {
    put,
    ping,
    health: () => {
      const state = breaker.state();
      stats.circuitOpen = state === 'open';
      return state === 'open' ? { ok: false, reason: breaker.reason() } : { ok: true };
    },
    stats: () => ({ ...stats, circuitOpen: breaker.state() === 'open' }),
    close: async () => {
      closing = true;
      // Flushing now skips the linger; a retry still waits out its backoff (its timer is kept).
      for (const q of queues.values()) flush(q);
      if (stats.recordsQueued > 0) await new Promise<void>((resolve) => idle.add(resolve));
    },
  };
}
