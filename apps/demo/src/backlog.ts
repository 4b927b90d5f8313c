import { setTimeout as sleep } from 'node:timers/promises';
import { countFrom, readStartPositions, type CheckpointedStream } from './backlog-count';
import { processorStatus, type ProcessorStatus } from './processor-status';
import { STREAMS } from './streams';

/** The processor's counters at one moment (both streams read; delivered and duplicates of the events stream; bad rows of both). */
export interface ProcessorCounts {
  read: number;
  delivered: number;
  duplicates: number;
  bad_rows: number;
}

/**
 * What earlier runs left in the streams unread, and what the processor made of it before this run's
 * ingest started. With `baseline` the accounting subtracts it and covers this run alone; without one
 * (`problem` says why) the backlog stays in the line, which then says so.
 */
export interface Backlog {
  /** Records after the processor's checkpoints when this run started (null: they could not be counted). */
  records: number | null;
  /** The processor's counts once it had read every one of them and flushed them (held 0), before the ingest started. */
  baseline: ProcessorCounts | null;
  problem?: string;
}

export interface BacklogTiming {
  pollMs: number;
  /** No counter moved for this long: count the streams again (the retention may have trimmed records meanwhile). */
  recountAfterMs: number;
  /** No counter moved for this long: start without a baseline (the processor is failing; its errors say why). */
  giveUpAfterMs: number;
  /** However it moves, wait no longer than this: start without a baseline (a backlog too large to wait for). */
  maxWaitMs: number;
  /** How often `onProgress` hears how far the processor got. */
  progressEveryMs: number;
}

const TIMING: BacklogTiming = { pollMs: 100, recountAfterMs: 2_000, giveUpAfterMs: 30_000, maxWaitMs: 5 * 60_000, progressEveryMs: 3_000 };

export interface SettleOptions {
  timing?: Partial<BacklogTiming>;
  /** Told, in words, how far the processor got every `progressEveryMs` and how the wait ended (the console). */
  onProgress?: (message: string) => void;
  /** Ends the wait at once (Ctrl-C): settleBacklog then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Count the backlog (before the processor starts: `startProcessor` is called in between), then wait for
 * the processor to catch up with it. Caught up, exactly: the processor has read, per stream, as many
 * records as the stream held after its checkpoints, and holds none (its buffered-records gauge at 0:
 * all delivered, left out as duplicates or kept as bad rows). Its counters count what GetRecords returned, and no one else writes
 * until the ingest starts, so at that moment every record it counted is an earlier run's and every
 * later one is this run's.
 */
export async function settleBacklog(
  endpoint: string,
  streams: readonly CheckpointedStream[],
  startProcessor: () => Promise<string>,
  options: SettleOptions = {},
): Promise<Backlog> {
  const { signal, onProgress = () => undefined } = options;
  const said = (backlog: Backlog): Backlog => {
    if (backlog.problem) onProgress(`Not waiting for what earlier runs left in the streams: ${backlog.problem}. The live view's line keeps it.`);
    else if (backlog.records) onProgress(`Read the ${fmt(backlog.records)} records earlier runs left in the streams; the live view's line leaves them out.`);
    return backlog;
  };
  return said(await settle(endpoint, streams, startProcessor, { ...TIMING, ...options.timing }, onProgress, signal));
}

async function settle(
  endpoint: string,
  streams: readonly CheckpointedStream[],
  startProcessor: () => Promise<string>,
  timing: BacklogTiming,
  onProgress: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<Backlog> {
  let positions;
  let expected: Record<string, number>;
  try {
    positions = await readStartPositions(streams);
    expected = await countFrom(endpoint, positions, signal);
  } catch (error) {
    signal?.throwIfAborted();
    // A checkpoint of another stream instance (the emulator's data gone): the processor says so in its own words.
    await startProcessor();
    return { records: null, baseline: null, problem: `the backlog could not be counted: ${error instanceof Error ? error.message : String(error)}` };
  }
  signal?.throwIfAborted();
  const metricsUrl = await startProcessor();
  // Recounts run beside the poll loop, not in it: a recount re-reads the whole backlog, which may take
  // longer than the wait itself, and meanwhile the progress lines, the bounds and the catch-up go on.
  // A recount that fails (the emulator not answering) leaves the count as it was: the wait then gives up.
  const stopRecount = new AbortController();
  const recountSignal = signal ? AbortSignal.any([signal, stopRecount.signal]) : stopRecount.signal;
  let recounting = false;
  let recountsDone = 0;
  const recount = (): void => {
    recounting = true;
    countFrom(endpoint, positions, recountSignal)
      .then((counts) => {
        expected = counts;
      }, () => undefined)
      .finally(() => {
        recounting = false;
        recountsDone += 1;
      });
  };
  let lastCounts = '';
  const startedAt = Date.now();
  let movedAt = startedAt;
  let recountedAt = 0;
  /** The recounts done when the processor was first seen reading past the count (null: it is not). */
  let pastSince: number | null = null;
  let toldAt = total(expected) > 0 ? 0 : Infinity;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const status = await processorStatus(metricsUrl);
      const counts = countsOf(status);
      const records = total(expected);
      // Read: Kinesis records, as counted. Held: the processor's own count of what it has not flushed (a KPL
      // aggregate is one record read and its user records delivered, so read less delivered is no measure).
      if (counts && readOf(status, STREAMS.events) === expected[STREAMS.events] && readOf(status, STREAMS.badRows) === expected[STREAMS.badRows] && status.buffered_records === 0) {
        return { records, baseline: counts };
      }
      if (!readsPast(status, expected)) pastSince = null;
      else {
        // More than was there: the count missed records, or someone else writes. Count once more (a
        // recount begun after this was seen), then say so.
        pastSince ??= recountsDone + (recounting ? 1 : 0);
        if (recountsDone > pastSince) {
          return { records, baseline: null, problem: `the processor read more records than the streams held after its checkpoints (${counts?.read ?? '?'} of ${records}: the count missed records, someone else wrote, or the retention trimmed records it had already read)` };
        }
        if (!recounting) recount();
      }
      const key = JSON.stringify(counts);
      if (key !== lastCounts) {
        lastCounts = key;
        movedAt = Date.now();
      }
      const now = Date.now();
      if (now - toldAt >= timing.progressEveryMs) {
        toldAt = now;
        onProgress(`Reading the ${fmt(records)} records earlier runs left in the streams before the ingest starts: ${fmt(counts?.read ?? 0)} read (Ctrl-C stops)`);
      }
      if (now - startedAt >= timing.maxWaitMs) {
        const read = counts ? `read ${fmt(counts.read)}, held ${fmt(status.buffered_records ?? 0)}` : 'its counts unavailable';
        return { records, baseline: null, problem: `the processor did not get through the ${fmt(records)} records they left in ${duration(timing.maxWaitMs)}, the longest the demo waits (${read})` };
      }
      const still = now - movedAt;
      if (still >= timing.giveUpAfterMs) {
        const read = counts ? `read ${fmt(counts.read)}, held ${fmt(status.buffered_records ?? 0)}` : 'its counts unavailable';
        return { records, baseline: null, problem: `the processor did not get through the ${fmt(records)} records they left before the ingest started (${read}; no progress for ${duration(timing.giveUpAfterMs)})` };
      }
      if (still >= timing.recountAfterMs && recountedAt < movedAt && !recounting) {
        // Records the retention trimmed since the count are skipped by the processor too: count again.
        recountedAt = Date.now();
        recount();
      }
      await sleep(timing.pollMs, undefined, signal ? { signal } : {});
    }
  } finally {
    // The wait is over: a recount still running stops at its next page (its result no longer matters).
    stopRecount.abort();
  }
}

function countsOf(s: ProcessorStatus): ProcessorCounts | null {
  const { records_read_both_streams: read, rows_delivered: delivered, duplicates, bad_rows } = s;
  if (!s.up || read === null || delivered === null || duplicates === null || bad_rows === null) return null;
  return { read, delivered, duplicates, bad_rows };
}

/** Records read by the processor of one stream (the events stream's series, or both less it). */
function readOf(s: ProcessorStatus, stream: string): number | null {
  if (s.records_read === null || s.records_read_both_streams === null) return null;
  return stream === STREAMS.events ? s.records_read : s.records_read_both_streams - s.records_read;
}

function readsPast(s: ProcessorStatus, expected: Record<string, number>): boolean {
  return [STREAMS.events, STREAMS.badRows].some((stream) => (readOf(s, stream) ?? 0) > (expected[stream] ?? 0));
}

const fmt = (n: number): string => n.toLocaleString('en-US');
/** `5 min`, `30 s`: whole minutes in minutes, the rest in seconds (a bound of 3,000 ms was `0.05 min`). */
const duration = (ms: number): string => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${fmt(ms / 1000)} s`);
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
