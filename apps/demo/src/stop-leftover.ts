import type { ServiceExit } from '@eventline/devstack';
import { countFrom, readStartPositions, type CheckpointedStream } from './backlog-count';
import { STREAMS } from './streams';

/** The count re-reads what is left: a large leftover is not read through for long at every Ctrl-C. */
const COUNT_LIMIT_MS = 5_000;

/**
 * Once the processor has stopped: the records the streams hold past its checkpoints, counted as the
 * next start counts its backlog (src/backlog.ts), in words when there are any (none: undefined). The
 * events and the ingest's rejections (the bad-rows stream) are counted apart; a processor whose stop
 * failed may have read them and not delivered them. The next start reads them into the lake before
 * its ingest starts.
 */
export async function leftoverNote(endpoint: string, streams: readonly CheckpointedStream[], drainMs: number, processorExit: ServiceExit): Promise<string | undefined> {
  const nextStart = 'the next `npm run demo` reads them into the lake before its ingest starts';
  try {
    const counts = await countFrom(endpoint, await readStartPositions(streams), AbortSignal.timeout(COUNT_LIMIT_MS));
    const what = leftoverWords(counts[STREAMS.events] ?? 0, counts[STREAMS.badRows] ?? 0);
    if (what === undefined) return undefined;
    const why =
      processorExit.code === 0
        ? `the processor stopped before it read them (at a stop it reads on for at most ${drainMs / 1000} s; its lines above say what held it)`
        : `the processor's stop failed (${failedStopWords(processorExit)}): they may have been read but not delivered`;
    return `${what} not in the lake yet: ${why}. They are kept in the streams, and ${nextStart}.`;
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `more than ${COUNT_LIMIT_MS / 1000} s to count` : error instanceof Error ? error.message : String(error);
    return `Could not count what the processor left unread in the streams (${why}); whatever is there, ${nextStart}.`;
  }
}

/**
 * Why the stop failed. An exit code comes after the processor's own error lines; the demo's SIGKILL
 * once the stop's grace ran out may come after none (a hung process writes nothing to point at).
 */
function failedStopWords(exit: ServiceExit): string {
  if (exit.code !== null) return `exit code ${exit.code}; its lines above say why`;
  if (exit.killedAfterGraceMs !== undefined) return `it had not exited ${exit.killedAfterGraceMs / 1000} s after the stop signal and was ended by SIGKILL`;
  return `ended by ${exit.signal ?? 'a signal'}`;
}

/** "12 events and 3 rejected-event records are" (either alone when the other is 0); undefined for none. */
function leftoverWords(events: number, rejected: number): string | undefined {
  const parts = [
    ...(events > 0 ? [`${events.toLocaleString('en-US')} ${events === 1 ? 'event' : 'events'}`] : []),
    ...(rejected > 0 ? [`${rejected.toLocaleString('en-US')} ${rejected === 1 ? 'rejected-event record' : 'rejected-event records'}`] : []),
  ];
  if (parts.length === 0) return undefined;
  return `${parts.join(' and ')} ${events + rejected === 1 ? 'is' : 'are'}`;
}
