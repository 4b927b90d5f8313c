import type { ClientBatch, ClientEvent } from '@eventline/schemas';
import { gunzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createEventline, createMemoryStorage, type NodeConfig } from '../src/node';
import { createNodePlatform } from '../src/platform/node/platform';
import type { Client, ClientNotices, Platform } from '../src/public-types';
import type { CoreStorage, FullStorage } from '../src/core/types';

export const ENDPOINT = 'http://ingest.test';
export const WRITE_KEY = 'wk_test_123';

export interface Received {
  url: string;
  headers: Headers;
  body: ClientBatch;
}

export type Responder = (body: ClientBatch, call: number) => Response | Promise<Response>;

/** Answers like the ingest: every event accepted. */
export function acceptAll(body: ClientBatch): Response {
  return HttpResponse.json({
    request_id: `req-${body.events.length}`,
    accepted: body.events.length,
    rejected: 0,
    retry: 0,
    results: body.events.map((e) => ({ event_id: e.event_id, status: 'accepted' })),
  });
}

/** An msw server standing in for the ingest: records every request, answers with `respond`. */
export function fakeIngest() {
  const received: Received[] = [];
  let respond: Responder = acceptAll;
  const server = setupServer(
    http.post(`${ENDPOINT}/v1/batch`, async ({ request }) => {
      // Like the real ingest: gzip bodies (the default) are inflated, plain JSON read as is.
      const bytes = Buffer.from(await request.arrayBuffer());
      const text = request.headers.get('content-encoding') === 'gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      const body = JSON.parse(text) as ClientBatch;
      received.push({ url: request.url, headers: request.headers, body });
      return respond(body, received.length);
    }),
  );
  return {
    server,
    received,
    /** Every event the ingest has seen, in order. */
    events: (): ClientEvent[] => received.flatMap((r) => r.body.events),
    reply(next: Responder) {
      respond = next;
    },
    reset() {
      received.length = 0;
      respond = acceptAll;
    },
  };
}

/**
 * randomBytes whose 4-byte draws (the backoff's only use of 4 bytes) make the jitter's uniform draw
 * equal `fraction`; every other length stays random, so ids stay unique.
 */
export function fixedJitter(fraction: number): Platform['randomBytes'] {
  const real = createNodePlatform().randomBytes;
  return (length: number) => {
    const bytes = real(length);
    if (length === 4) new DataView(bytes.buffer, bytes.byteOffset, 4).setUint32(0, Math.floor(fraction * 2 ** 32));
    return bytes;
  };
}

/**
 * Creates clients (Node platform + msw) and closes them all after each test. Their backoff waits
 * half its ceiling, not a random share: a test that sets `retryBaseMs: 60_000` to keep a retry from
 * firing must not see one fire after a few milliseconds by the luck of the draw. Their close() gives
 * up after 1 s, not 5 (the teardown closes clients whose transport may still be failing).
 */
export function clientFactory() {
  const clients: Client[] = [];
  return {
    create(config: Partial<NodeConfig> = {}, overrides: Partial<Platform> = {}) {
      const client = createEventline(
        { writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, closeTimeoutMs: 1000, ...config },
        { randomBytes: fixedJitter(0.5), ...overrides },
      );
      clients.push(client);
      return client;
    },
    /** A client made another way (another entry point), closed with the others. */
    keep<T extends Client>(client: T): T {
      clients.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}

/** Collects every notice a client emits. */
export function record(client: Client) {
  const notices: { [K in keyof ClientNotices]: ClientNotices[K][] } = { sent: [], error: [], drop: [] };
  client.on('sent', (n) => notices.sent.push(n));
  client.on('error', (n) => notices.error.push(n));
  client.on('drop', (n) => notices.drop.push(n));
  return notices;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The usual test-file setup: a fake ingest listening for the whole file, and clients closed, records
 * cleared and per-test handlers reset after each test.
 */
export function ingestSuite(): { ingest: ReturnType<typeof fakeIngest>; clients: ReturnType<typeof clientFactory> } {
  const ingest = fakeIngest();
  const clients = clientFactory();
  beforeAll(() => ingest.server.listen({ onUnhandledRequest: 'error' }));
  afterEach(async () => {
    // The ingest answers again first: a Node client's close() retries until closeTimeoutMs otherwise.
    // What the closing clients send then is not the next test's.
    ingest.reset();
    ingest.server.resetHandlers();
    await clients.closeAll();
    ingest.reset();
  });
  afterAll(() => ingest.server.close());
  return { ingest, clients };
}

/**
 * A core storage (the browser adapters have no `entries`: the core never lists values) as a public
 * Storage, to pass in or inspect: `entries` lists the keys, then reads each.
 */
export function withEntries(storage: CoreStorage): FullStorage {
  return {
    ...storage,
    entries: async <T>(prefix: string) =>
      Promise.all((await storage.keys(prefix)).map(async (key): Promise<[string, T]> => [key, (await storage.get<T>(key)) as T])),
  };
}

/**
 * identify, optOut, track, flush, optIn, track, flush: the calls around an opt-out whose state read is
 * still failing. `user-before` must survive; only `after_opt_in` may be sent.
 */
export async function optOutRoundTrip(client: Client): Promise<void> {
  client.identify('user-before');
  client.optOut();
  client.track('while_opted_out');
  await client.flush();
  client.optIn();
  client.track('after_opt_in');
  await client.flush();
}

/** A shared sync store (localStorage in a browser), as the browser platform has. */
export function syncStore(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return { get: (k: string) => map.get(k) ?? null, set: (k: string, v: string) => void map.set(k, v) };
}

/**
 * A memory storage that stands for a persistent one (a file, a database): what a client leaves in it
 * outlives that client, as it would a restart. `createMemoryStorage()` itself says it is not persistent,
 * and the Node client's close() then gives up on what it holds ('closed' drop).
 */
export function storedAcrossRuns(): FullStorage {
  return { ...createMemoryStorage(), persistent: true };
}
