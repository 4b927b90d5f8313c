import type { IncomingMessage } from 'node:http';

/** How soon a body that kept pace is looked at again, at the least: the deadline only moves later, so this only spares wakeups. */
const MIN_RECHECK_MS = 250;
/** At the most: a body is looked at again at least this often (well under Node's 2^31-1 ms timer bound). */
const MAX_RECHECK_MS = 60_000;

export interface MinRate {
  /** Time the body has before its rate counts: its deadline is this plus one second per `bytesPerSecond` bytes received. */
  graceMs: number;
  bytesPerSecond: number;
}

/** What a body that fell behind had done: bytes received since its headers, and over how long. */
export interface TooSlow {
  receivedBytes: number;
  elapsedMs: number;
}

/**
 * Apache mod_reqtimeout's `body=<grace>,MinRate=<rate>` model: a request's body must be in by its
 * deadline, which starts at `graceMs` after its headers and moves one second later for every
 * `bytesPerSecond` bytes received. A body still incomplete at its deadline is handed to `onTooSlow`
 * (once). Bytes are counted on the socket (the body is the app's to read: listening to the request's
 * data here would start its flow early); the request's head, read already, is not counted.
 * Returns a function that stops watching (call it once the request is answered: the watch ends by
 * itself only at its next check).
 */
export function watchBodyRate(req: IncomingMessage, rate: MinRate, onTooSlow: (slow: TooSlow) => void): () => void {
  const { socket } = req;
  const startBytes = socket.bytesRead;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => clearTimeout(timer);
  const check = (): void => {
    if (req.complete || socket.destroyed) return;
    const receivedBytes = socket.bytesRead - startBytes;
    const elapsedMs = performance.now() - started;
    const dueMs = rate.graceMs + (receivedBytes * 1000) / rate.bytesPerSecond;
    if (elapsedMs >= dueMs) return onTooSlow({ receivedBytes, elapsedMs: Math.round(elapsedMs) });
    // Capped: past 2^31-1 ms Node fires a timer after 1 ms (and warns), which would spin (a huge body at 1 B/s).
    timer = setTimeout(check, Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, dueMs - elapsedMs)));
    timer.unref();
  };
  timer = setTimeout(check, rate.graceMs);
  timer.unref();
  return stop;
}
