import { QUEUE_PREFIX } from '../../core/queue';
import { TIMEOUT_ERROR, type TimeoutError } from './time-bound';

type Write = (pairs: [string, string][]) => Promise<void>;
type Remove = (keys: string[]) => Promise<void>;

/**
 * Queue writes and removals while AsyncStorage does not answer. The queue writes on one chain, a write
 * per track(), and each write sent to a module that does not answer waited a whole bound (up to 30 s):
 * the chain grew faster than it drained, every flush (which waits for it) sent nothing, and close()
 * took minutes. So once a call is given up, and until AsyncStorage answers a call again, queue writes
 * and removals fail at once (the queue keeps their events in memory, sent by the next flush and written
 * again with its next write) and are kept here, the last per key winning. What is kept goes out as one
 * write and one removal, not waited for, with at most one such call out at a time: a hung module gets
 * one call per bound, not one per track(); one call lost while later ones answer (the module moved
 * on) is written past. Other keys (the device state) are not held: they are written in order as before.
 */
export function holdQueueWrites(write: Write, remove: Remove) {
  /** A call was given up and AsyncStorage has not answered since. */
  let held = false;
  /** What is kept goes out now (its calls not settled). */
  let probing = false;
  const kept = new Map<string, string | null>();
  const queued = (keys: string[]) => keys.every((key) => key.startsWith(QUEUE_PREFIX));

  const sent = <T>(answer: Promise<T>): Promise<T> =>
    answer.then(
      (value) => ((held = false), value),
      (error: unknown) => {
        if ((error as Error | undefined)?.name !== TIMEOUT_ERROR) held = false;
        else if (!held) {
          held = true;
          void (error as TimeoutError).late.then(answered, answered);
        }
        throw error;
      },
    );
  /** The call given up answered (late): AsyncStorage moves again. */
  function answered(): void {
    held = false;
    probe();
  }
  function probe(): void {
    if (probing || kept.size === 0) return;
    probing = true;
    const changes = [...kept];
    kept.clear();
    const pairs = changes.filter((c): c is [string, string] => c[1] !== null);
    const gone = changes.filter(([, value]) => value === null).map(([key]) => key);
    // Nobody waits for these: the queue was told its calls failed and writes its events again anyway.
    void Promise.all([pairs.length > 0 && sent(write(pairs)), gone.length > 0 && sent(remove(gone))])
      .catch(() => undefined)
      .then(() => ((probing = false), held || probe()));
  }
  const keep = (changes: [string, string | null][]): Promise<never> => {
    changes.forEach(([key, value]) => kept.set(key, value));
    probe();
    return Promise.reject(Object.assign(new Error('AsyncStorage write: AsyncStorage has not answered since a call was given up; kept in memory'), { name: TIMEOUT_ERROR }));
  };

  return {
    writeMany: (pairs: [string, string][]): Promise<void> => (held && queued(pairs.map(([key]) => key)) ? keep(pairs) : sent(write(pairs))),
    removeMany: (keys: string[]): Promise<void> => (held && queued(keys) ? keep(keys.map((key) => [key, null])) : sent(remove(keys))),
  };
}
