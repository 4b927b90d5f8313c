import type { CoreClient } from '../../core/client';

/**
 * close() for a client whose queue ends with the process (its own memory storage): after the core's
 * close() (one attempt), it keeps retrying, each after the backoff the core reported (`retryInMs` of
 * the 'error' notice), until nothing failed or the next try would come after `timeoutMs`. What is
 * still queued then is dropped with reason 'closed'. A request still in flight at the deadline is not
 * waited for: should it land after all, a 'sent' notice follows the drop. The waits are plain timers:
 * they keep Node running while close() is awaited (the SDK's other timers do not).
 */
export async function closeWithRetries(client: CoreClient, timeoutMs: number, now: () => number): Promise<void> {
  const until = now() + timeoutMs;
  let retryIn: number | undefined;
  const off = client.on('error', (notice) => void (retryIn = notice.retryInMs ?? retryIn));
  const sleep = (ms: number) => new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function attempts(): Promise<void> {
    await client.close();
    while (retryIn !== undefined && now() + retryIn < until) {
      await sleep(retryIn);
      retryIn = undefined;
      await client.flush();
    }
  }
  let deadline: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([attempts(), new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs)))]);
  } finally {
    clearTimeout(deadline);
    clearTimeout(timer);
    off();
  }
  const left = client.clear();
  if (left.length > 0) client.drop('closed', `not delivered within closeTimeoutMs (${timeoutMs} ms)`, left);
}
