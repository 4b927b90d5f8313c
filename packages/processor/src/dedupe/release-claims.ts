import { errorFields, type Logger } from '../log';
import type { SeenCandidate, SeenIndex } from './seen-index';

/**
 * After a failed delivery, forget the claims its records hold (SeenIndex.release), so that a batch
 * that is never retried cannot keep later resends of its events out of the lake. Best effort: the
 * delivery's own error is what the caller reports; a failed release is logged next to it.
 */
export async function releaseClaims(index: SeenIndex, shardId: string, events: readonly SeenCandidate[], log: Logger): Promise<void> {
  if (index.release === undefined || events.length === 0) return;
  try {
    await index.release(shardId, events);
  } catch (error) {
    log('error', 'could not release the claims of a failed delivery; a later resend of these events may be left out', {
      shard: shardId,
      count: events.length,
      events: events.slice(0, 10).map((e) => e.key),
      ...errorFields(error),
    });
  }
}
