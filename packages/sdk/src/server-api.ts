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
  const client: Client = {
    track: nothing,
    identify: nothing,
    page: nothing,
    screen: nothing,
    alias: nothing,
    group: nothing,
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
  return { ...client, init: () => client };
}
