import { getProcess } from '../browser/global-scope';

/** close() of every Node client not closed yet. */
const open = new Set<() => Promise<void>>();
let listening = false;

/**
 * Close `close`'s client when the process is about to exit without its close(): Node emits
 * `beforeExit` once nothing is left to run (the SDK's timers do not keep it alive), and the work
 * close() starts (requests, backoff waits) keeps it running until done, after which `beforeExit`
 * comes again and finds nothing left. One listener for all clients (a server making one per tenant
 * would otherwise add one each, and Node warns past 10). Not on process.exit() or a signal: there is
 * no time left to send then. Returns what forgets the client (its own close()).
 */
export function closeAtExit(close: () => Promise<void>): () => void {
  open.add(close);
  if (!listening) {
    listening = true;
    getProcess()?.on('beforeExit', () => {
      for (const each of [...open]) void each();
    });
  }
  return () => open.delete(close);
}
