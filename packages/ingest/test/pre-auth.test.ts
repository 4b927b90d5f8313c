import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter } from '../src';
import { batch, event, testApp, WRITE_KEY } from './helpers';

/** 8 MiB of small JSON objects in ~18 KB of gzip: parsing it took ~0.5 s of the event loop. */
const bomb = new Uint8Array(gzipSync(`{"writeKey":"${WRITE_KEY}","batch":[${Array<string>(1024 * 1024).fill('{"a":{}}').join(',')}]}`, { level: 9 }));

describe('what a request without a key outside its body can make the ingest do', () => {
  it('a gzip body whose key is only inside it inflates no further than a plain body may be long (413 past it)', async () => {
    const app = testApp(createMemoryWriter(), { maxDecompressedBytes: 16 * 1024 * 1024, maxBodyBytes: 64 * 1024 });
    const res = await app.request('/v1/batch', { method: 'POST', body: bomb, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('decompressed_too_large');
    expect(body.error.message).toMatch(/65536-byte limit; send the write key as the Basic auth username or \?writeKey= for a larger body/);
    // The same body with the key outside inflates to the full limit, and is refused before parsing for its 3M values from 18 KB.
    const keyed = await app.request(`/v1/batch?writeKey=${WRITE_KEY}`, { method: 'POST', body: bomb, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    expect(((await keyed.json()) as { error: { code: string } }).error.code).toBe('too_many_values');
  });

  it('a gzip body with its key only inside it (analytics-kotlin) is taken when it fits the plain-body limit', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const message = { type: 'track', event: 'Opened', anonymousId: 'kt', messageId: 'm-1', timestamp: '2026-11-26T09:00:00.000Z' };
    const gz = new Uint8Array(gzipSync(JSON.stringify({ batch: [message], writeKey: WRITE_KEY })));
    const res = await app.request('/v1/b', { method: 'POST', body: gz, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(writer.records.get('events')).toHaveLength(1);
  });

  it('the key in ?writeKey= or the Basic-auth header is checked first: a gzip body with it is inflated and taken', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const gz = new Uint8Array(gzipSync(batch([event()])));
    const res = await app.request(`/v1/batch?writeKey=${WRITE_KEY}`, { method: 'POST', body: gz, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(writer.records.get('events')).toHaveLength(1);
    // A plain body still carries its key inside (analytics.js): read, then checked.
    const plain = await app.request('/v1/track', { method: 'POST', body: JSON.stringify({ writeKey: WRITE_KEY, anonymousId: 'a', event: 'x' }), headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(200);
  });
});
