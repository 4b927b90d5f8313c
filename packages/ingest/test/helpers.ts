import { gzipSync } from 'node:zlib';
import type { ClientEvent } from '@eventline/schemas';
import { createApp, parseWriteKeys, type RecordWriter } from '../src';
import { uuidV7 } from '@eventline/devstack';
import { basicAuth as basic } from '../fuzz/valid';

export const WRITE_KEY = 'wk_test_123';

// One Basic-auth helper for the tests and the fuzz harness.
export { basic };

export function event(overrides: Record<string, unknown> = {}): ClientEvent {
  return {
    event_id: uuidV7(),
    type: 'track',
    event: 'af_add_to_cart',
    properties: { af_price: 9.99, af_currency: 'EUR' },
    anonymous_id: 'device-1',
    seq: 1,
    client_ts: new Date().toISOString(),
    context: { library: { name: 'test', version: '0' } },
    ...overrides,
  };
}

export function batch(events: unknown[]): string {
  return JSON.stringify({ sent_at: new Date().toISOString(), events });
}

type Deps = Parameters<typeof createApp>[0];

export function testApp(writer: RecordWriter, overrides: Partial<Deps['options']> = {}, deps: Partial<Omit<Deps, 'writer' | 'options'>> = {}) {
  return createApp({
    writer,
    options: {
      streamName: 'events',
      badRowsStreamName: 'events-bad',
      writeKeys: parseWriteKeys(`${WRITE_KEY}=shop`),
      maxBodyBytes: 64 * 1024,
      maxEventBytes: 8 * 1024,
      ...overrides,
    },
    now: () => new Date('2026-11-25T10:00:00.000Z'),
    ...deps,
  });
}

export function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY), ...headers } };
}

export function gzip(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(Buffer.from(text, 'utf8')));
}

export const decode = (d: Uint8Array) => JSON.parse(Buffer.from(d).toString('utf8')) as Record<string, unknown>;

interface ApiGatewayEventV2 {
  rawPath: string;
  headers: Record<string, string | undefined>;
  requestContext: { http: { method: string; path: string } };
}

/** API Gateway's payload-2.0 event for a GET of `path`, without body or key, made from a POST event. */
export function apiGatewayGet<E extends ApiGatewayEventV2>(post: E, path: string): E {
  const headers = Object.fromEntries(Object.entries(post.headers).filter(([name]) => !['authorization', 'content-type', 'content-length'].includes(name)));
  const http = { ...post.requestContext.http, method: 'GET', path };
  return { ...post, rawPath: path, headers, body: undefined, requestContext: { ...post.requestContext, http } };
}
