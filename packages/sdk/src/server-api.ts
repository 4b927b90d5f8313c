import type { Client } from './core/client';
import type { EventlineApi } from './default-instance';

const nothing = () => undefined;

/**
 * The page-wide API while a server renders the page (no document): init() and every call do nothing —
 * no storage, no timer, no request, nothing held. The server is not the visitor: events tracked there
 * would all carry the server's one device id and context. flush() and close() resolve; getDeviceId()
 * rejects (there is none). The page tracks once it runs in the browser.
 */
export function createServerApi(): EventlineApi {
  const client = createServerClient();
  return { ...client, init: () => client };
}

/**
 * What `createEventline()` from the browser entry returns on a server: the same no-op client. A real
 * one sent a page view (`autoPage`) from the server at each start, and every call made while rendering,
 * all with the server's device id and no page context. Server-side tracking is `@eventline/sdk/node`.
 */
export function createServerClient(): Client {
  return {
    track: warnOnServer,
    identify: warnOnServer,
    page: warnOnServer,
    screen: warnOnServer,
    alias: warnOnServer,
    group: warnOnServer,
    setConsent: nothing,
    optOut: nothing,
    optIn: nothing,
    anonymize: nothing,
    reset: nothing,
    flush: () => Promise.resolve(),
    getDeviceId: () => Promise.reject(new Error('eventline: no device id during server rendering')),
    on: () => nothing,
    close: () => Promise.resolve(),
  };
}

let warned = false;
/**
 * Told once per copy of the SDK, at the first event call that goes nowhere (a script would not see it
 * otherwise); not at init() or createEventline(): the SSR pattern of the README (a client made at a
 * module's top, events tracked in handlers that only run in the browser) stays quiet.
 */
function warnOnServer(): void {
  if (warned) return;
  warned = true;
  console.warn(
    'eventline: no document here, so @eventline/sdk sends nothing (during server rendering that is expected: the page tracks in the browser). ' +
      'To track from Node, Deno, Bun or a worker use @eventline/sdk/node, or pass a transport to createEventline().',
  );
}
