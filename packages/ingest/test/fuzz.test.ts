import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerClientError, createMemoryWriter, type BatchResponse } from '../src';
import { basic, batch, event, testApp, WRITE_KEY } from './helpers';
import { rawExchange } from './raw-socket';

const app = testApp(createMemoryWriter());
const RUNS = { numRuns: 150 };

/** Every answer is a 2xx with per-event statuses or a 4xx naming a code and a reason; never a 5xx. */
async function expectHandled(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  const body = (await res.json()) as { error?: { code: string; message: string } } & Partial<BatchResponse>;
  if (res.status >= 400) {
    expect(body.error?.code).toMatch(/^[a-z_]+$/);
    expect(body.error?.message.length).toBeGreaterThan(5);
  } else {
    expect(body.results?.length).toBeGreaterThan(0);
    for (const r of body.results ?? []) if (r.status === 'rejected') expect(r.issues.length).toBeGreaterThan(0);
  }
}

const send = (body: Uint8Array | string, headers: Record<string, string> = {}) =>
  Promise.resolve(app.request('/v1/batch', { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers: { authorization: basic(WRITE_KEY), ...headers } }));

const encodings = fc.constantFrom('', 'gzip', 'identity', 'br', 'deflate', 'gzip, gzip', 'x-gzip');
const contentTypes = fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'application/octet-stream', 'multipart/form-data', '');

describe('fuzz: bad bodies always get a 4xx with a reason', () => {
  it('random bytes under any Content-Encoding and Content-Type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), encodings, contentTypes, async (bytes, enc, type) => {
        const res = await send(bytes, { 'content-encoding': enc, 'content-type': type });
        expect(res.status).toBeGreaterThanOrEqual(400);
        await expectHandled(res);
      }),
      RUNS,
    );
  });

  it('any JSON value as the body', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (value) => expectHandled(await send(JSON.stringify(value)))), RUNS);
  });

  it('a valid batch with one field anywhere replaced by anything (wrong types, huge strings, nesting)', async () => {
    const junk = fc.oneof(fc.anything({ maxDepth: 4 }), fc.string({ minLength: 10_000, maxLength: 60_000 }), fc.integer({ min: 30, max: 200 }).map(nest));
    const field = fc.constantFrom('schema_version', 'event_id', 'type', 'event', 'properties', 'anonymous_id', 'seq', 'client_ts', 'context', 'traits', 'user_id', 'sent_at', 'extra');
    await fc.assert(
      fc.asyncProperty(field, junk, fc.boolean(), async (key, value, envelope) => {
        const e: Record<string, unknown> = { ...event(), [key]: value };
        const body = envelope ? { sent_at: value, events: [event()] } : JSON.parse(batch([e])) as unknown;
        await expectHandled(await send(JSON.stringify(body) ?? 'null'));
      }),
      RUNS,
    );
  });

  it('gzip bodies that lie: truncated, corrupted, or inflating past the limit', async () => {
    const good = gzipSync(batch([event(), event()]));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.nat({ max: 255 }), fc.boolean(), async (cut, byte, truncate) => {
        const bytes = Buffer.from(good);
        const at = 10 + (cut % (bytes.length - 18));
        if (!truncate) bytes[at] = (bytes[at] ?? 0) ^ (byte || 1);
        const res = await send(truncate ? bytes.subarray(0, cut) : bytes, { 'content-encoding': 'gzip' });
        await expectHandled(res);
      }),
      RUNS,
    );
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    const res = await send(bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('a lying Content-Length over a real socket: a 400 with a code, and the server keeps serving', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    server.on('clientError', answerClientError);
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    try {
      const body = batch([event()]);
      for (const declared of [0, 5, body.length - 1, body.length + 50]) {
        const reply = await rawExchange(port, `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(WRITE_KEY)}\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n${body}`);
        // Shorter: the rest of the body is a malformed next request; longer: the body ends early. Both 400 with a code.
        expect(reply).toMatch(/^HTTP\/1\.1 400 /);
        expect(reply).toMatch(/"code":"(invalid_json|malformed_request|incomplete_body)"/);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: 'POST', headers: { authorization: basic(WRITE_KEY) }, body: batch([event()]) });
      expect(ok.status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}
