import { createClient } from './core/client';
import { createDefaultInstance, DEFERRED } from './default-instance';
import { exposeGlobal, readGlobal, takeStoredStub, whenShown } from './platform/browser/global-scope';
import { createBrowserPlatform } from './platform/browser/platform';

/** One call queued by the snippet: [Date.now(), method, ...args]. */
type StubCall = [number, string, ...unknown[]];


/**
 * The <script> build: `window.eventline`. Calls the snippet queued before this file arrived are
 * replayed in order, each with the time it was made (init first, so they all reach the client),
 * after any calls a previous page queued but could not deliver (a prerendered page: once it is shown).
 */
let replayAt: number | undefined;
const api = createDefaultInstance((config) => createClient(config, { ...createBrowserPlatform(), now: () => replayAt ?? Date.now() }));
const stub = readGlobal('eventline') as { q?: StubCall[] } | undefined;
const queued = stub?.q ?? [];
if (stub) delete stub.q;
exposeGlobal('eventline', api);
let started = false;
// A prerendered page takes what a previous page left only once it is shown: it may never be, and the
// calls would go with it. Only data calls are worth keeping across a page change (callbacks do not survive JSON).
whenShown(() => {
  const stored = (takeStoredStub() as StubCall[]).filter((c) => (DEFERRED as readonly string[]).includes(c[1]));
  if (started) replay(stored);
  else queued.unshift(...stored);
});
started = true;
replay(queued);

function replay(calls: StubCall[]): void {
  // init first (a stable sort keeps the order of the rest; a second init is a no-op, as on the api).
  calls.sort((a, b) => Number(b[1] === 'init') - Number(a[1] === 'init'));
  for (const [at, method, ...args] of calls) {
    const fn = (api as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[method];
    if (typeof fn !== 'function') continue;
    replayAt = at;
    try {
      fn(...args);
    } finally {
      replayAt = undefined;
    }
  }
}
