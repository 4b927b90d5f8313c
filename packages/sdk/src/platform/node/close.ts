import type { CoreClient } from '../../core/client';

/**
 * The Node client's close(), over in `timeoutMs` at the latest. The core's close() makes one attempt.
 *
 * `volatile` (a storage that ends with the process: the client's own memory storage, any with
 * `persistent: false`): close() is the queue's last chance, so it keeps retrying, each after the
 * backoff the core reported (`retryInMs` of the 'error' notice), while that next try comes before
 * the deadline; what is still queued then is dropped with reason 'closed'. Otherwise the events stay
 * in the storage for the next start.
 *
 * At the deadline a request still in flight is abandoned (aborted; its answer, should one come, is
 * not applied): an ingest that never answers would keep the process alive until requestTimeoutMs.
 * Its events are in the 'closed' drop (or stay stored), never in a 'sent' after it. A request the
 * ingest had already received may still be taken: then the drop over-reports (README, Node).
 * The waits are plain timers: they keep Node running while close() is awaited (the SDK's other
 * timers do not).
 */
export async function closeWithin(client: CoreClient, timeoutMs: number, now: () => number, volatile: boolean): Promise<void> {
  const until = now() + timeoutMs;
  let retryIn: number | undefined;
  /** The backoff that would have taken the next try past the deadline, if that is why the retries stopped. */
  let tooLate: number | undefined;
  const off = client.on('error', (notice) => void (retryIn = notice.retryInMs ?? retryIn));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sleep = (ms: number) => new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  let timedOut = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const closing = client.close();
  async function attempts(): Promise<void> {
    await closing;
    while (volatile && retryIn !== undefined) {
      if (now() + retryIn >= until) {
        tooLate = retryIn;
        return;
      }
      await sleep(retryIn);
      retryIn = undefined;
      await client.flush();
    }
  }
  try {
    await Promise.race([attempts(), new Promise<void>((resolve) => (deadline = setTimeout(() => resolve(void (timedOut = true)), timeoutMs)))]);
  } finally {
    clearTimeout(deadline);
    clearTimeout(timer);
    off();
  }
  if (timedOut) client.abandon?.();
  if (!volatile) {
    // Abandoned, the core's close() has only its Storage writes left: those are waited for.
    await closing;
    return;
  }
  const left = client.clear();
  if (left.length === 0) return;
  const message = timedOut
    ? `not delivered within closeTimeoutMs (${timeoutMs} ms)`
    : tooLate === undefined
      ? 'not delivered by close()'
      : `not delivered: the next retry (in ${tooLate} ms) would come after closeTimeoutMs (${timeoutMs} ms)`;
  client.drop('closed', message, left);
}
