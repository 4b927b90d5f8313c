import { getProcess } from '../browser/global-scope';

/**
 * The clients not closed yet, held weakly: a server that makes clients and drops them without close()
 * must not keep each one (and its memory) for the life of the process. Each is held through its
 * `anchor`, an object the client's own pending work reaches: while it has anything to send, its timer,
 * request or backoff keeps the anchor alive, so beforeExit still finds it; once idle and unreferenced,
 * nothing here keeps it (its close() would have nothing to send).
 */
const open = new Set<WeakRef<object>>();
const closers = new WeakMap<object, () => Promise<void>>();
// A collected client's WeakRef leaves the set too (clients made per request would pile them up).
const collected = new FinalizationRegistry<WeakRef<object>>((ref) => open.delete(ref));
let listening = false;

/**
 * Close the client when the process is about to exit without its close(): Node emits `beforeExit`
 * once nothing is left to run (the SDK's timers do not keep it alive), and the work close() starts
 * (requests, backoff waits) keeps it running until done, after which `beforeExit` comes again and
 * finds nothing left. One listener for all clients (a server making one per tenant would otherwise
 * add one each, and Node warns past 10). Not on process.exit() or a signal: there is no time left to
 * send then. `anchor` must be reachable from the client's pending work (see `open`). Returns what
 * forgets the client (its own close()).
 */
export function closeAtExit(anchor: object, close: () => Promise<void>): () => void {
  const ref = new WeakRef(anchor);
  open.add(ref);
  closers.set(anchor, close);
  collected.register(anchor, ref, ref);
  if (!listening) {
    listening = true;
    getProcess()?.on('beforeExit', () => {
      for (const each of [...open]) {
        const alive = each.deref();
        if (alive) void closers.get(alive)?.();
      }
    });
  }
  return () => {
    open.delete(ref);
    collected.unregister(ref);
  };
}
