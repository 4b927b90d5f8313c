import { countFrom, readStartPositions, type CheckpointedStream } from './backlog-count';

/** The count re-reads what is left: a large leftover is not read through for long at every Ctrl-C. */
const COUNT_LIMIT_MS = 5_000;

/**
 * Once the processor has stopped: the records the streams hold past its checkpoints, counted as the
 * next start counts its backlog (src/backlog.ts), in words when there are any (none: undefined). The
 * next start reads them into the lake before its ingest starts.
 */
export async function leftoverNote(endpoint: string, streams: readonly CheckpointedStream[], drainMs: number): Promise<string | undefined> {
  const nextStart = 'the next `npm run demo` reads them into the lake before its ingest starts';
  try {
    const counts = await countFrom(endpoint, await readStartPositions(streams), AbortSignal.timeout(COUNT_LIMIT_MS));
    const left = Object.values(counts).reduce((a, b) => a + b, 0);
    if (left === 0) return undefined;
    return `${left.toLocaleString('en-US')} records the ingest accepted are not in the lake yet: the processor stopped before it read them (at a stop it reads on for at most ${drainMs / 1000} s; its lines above say what held it). They are kept in the streams, and ${nextStart}.`;
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `more than ${COUNT_LIMIT_MS / 1000} s to count` : error instanceof Error ? error.message : String(error);
    return `Could not count what the processor left unread in the streams (${why}); whatever is there, ${nextStart}.`;
  }
}
