import { describe, expect, it } from 'vitest';
import { createMemoryWriter, type BatchResponse } from '../src';
import { batch, decode, event, gzip, post, testApp, WRITE_KEY } from './helpers';

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('request bodies', () => {
  it('accepts a gzip body and stores the same events as a plain one', async () => {
    const writer = createMemoryWriter();
    const events = [event({ anonymous_id: 'gz' }), event({ anonymous_id: 'gz', seq: 2 })];
    const res = await testApp(writer).request('/v1/batch', post(gzip(batch(events)), { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2 });
    expect((writer.records.get('events') ?? []).map((r) => decode(r.data).event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('refuses a gzip bomb once the inflated size passes the limit, before inflating it all', async () => {
    const bomb = gzip(JSON.stringify({ sent_at: new Date().toISOString(), events: [{ pad: ' '.repeat(4 * 1024 * 1024) }] }));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const res = await testApp(createMemoryWriter(), { maxDecompressedBytes: 256 * 1024 }).request('/v1/batch', post(bomb, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toMatchObject({ code: 'decompressed_too_large', message: expect.stringContaining('262144') as string });
  });

  it('answers 400 for a body that claims gzip but is not, and 415 for an unknown encoding', async () => {
    const app = testApp(createMemoryWriter());
    const lying = await app.request('/v1/batch', post(batch([event()]), { 'content-encoding': 'gzip' }));
    expect(lying.status).toBe(400);
    expect(await errorCode(lying)).toMatchObject({ code: 'invalid_encoding' });
    const br = await app.request('/v1/batch', post(batch([event()]), { 'content-encoding': 'br' }));
    expect(br.status).toBe(415);
    expect(await errorCode(br)).toMatchObject({ code: 'unsupported_encoding' });
  });

  it('takes a sendBeacon text/plain body with the write key in the query string', async () => {
    const writer = createMemoryWriter();
    const res = await testApp(writer).request(`/v1/batch?writeKey=${WRITE_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: batch([event()]),
    });
    expect(res.status).toBe(200);
    expect(writer.records.get('events')).toHaveLength(1);
    const wrong = await testApp(writer).request('/v1/batch?writeKey=nope', { method: 'POST', body: batch([event()]) });
    expect(wrong.status).toBe(401);
  });

  it('takes the write key from a writeKey body field (Segment clients) and does not treat it as an envelope field', async () => {
    const writer = createMemoryWriter();
    const body = JSON.stringify({ writeKey: WRITE_KEY, sent_at: new Date().toISOString(), events: [event()] });
    const res = await testApp(writer).request('/v1/batch', { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const missing = await testApp(writer).request('/v1/batch', { method: 'POST', body: batch([event()]) });
    expect(missing.status).toBe(401);
    expect(await errorCode(missing)).toMatchObject({ code: 'missing_write_key' });
  });

  it('answers 400 for bytes that are not UTF-8 and for nesting deeper than the limit', async () => {
    const app = testApp(createMemoryWriter());
    const latin1 = await app.request('/v1/batch', post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])));
    expect(latin1.status).toBe(400);
    expect(await errorCode(latin1)).toMatchObject({ code: 'invalid_encoding' });
    const deepBody = await app.request('/v1/batch', post(batch([event({ properties: { x: JSON.parse('['.repeat(260) + ']'.repeat(260)) as unknown } })])));
    expect(deepBody.status).toBe(400);
    expect(await errorCode(deepBody)).toMatchObject({ code: 'too_deep', message: 'body nests arrays/objects deeper than 256 levels' });
    const veryDeep = await app.request('/v1/batch', post('['.repeat(30_000) + ']'.repeat(30_000)));
    expect(veryDeep.status).toBe(400);
  });

  it('rejects an event nesting deeper than 32 levels on its own, with the path, and keeps its neighbours', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    // event (1) → properties (2) → x: 31 arrays (3…33)
    const tooDeep = event({ properties: { x: JSON.parse('['.repeat(31) + ']'.repeat(31)) as unknown } });
    const atLimit = event({ properties: { x: JSON.parse('['.repeat(30) + ']'.repeat(30)) as unknown } });
    const res = await app.request('/v1/batch', post(batch([event(), tooDeep, atLimit])));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(body.results[1]).toMatchObject({
      event_id: tooDeep.event_id,
      code: 'invalid_event',
      issues: [{ code: 'too_deep', path: `events[1].properties.x${'[0]'.repeat(30)}`, message: 'nests objects/arrays deeper than 32 levels' }],
    });
    const badRows = (writer.records.get('events-bad') ?? []).map((r) => decode(r.data) as { error_type: string; payload: string });
    expect(badRows).toHaveLength(1);
    expect(badRows[0]!.error_type).toBe('invalid_event');
    expect(JSON.parse(badRows[0]!.payload)).toMatchObject({ event_id: tooDeep.event_id });
  });

  it('checks the depth of each Segment message after mapping, the batch\'s context included', async () => {
    const app = testApp(createMemoryWriter());
    const deepContext = { x: JSON.parse('['.repeat(31) + ']'.repeat(31)) as unknown }; // context (2) → x (3…33)
    const message = { type: 'track', event: 'Viewed', anonymousId: 'a-1', messageId: 'm-1', timestamp: new Date().toISOString() };
    const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [message, { ...message, messageId: 'm-2' }], context: deepContext }), { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body.results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(body.results[0]).toMatchObject({ issues: [{ code: 'too_deep', path: `events[0].context.x${'[0]'.repeat(30)}` }] });
  });

  it('answers 413 when a batch has more events than allowed, and rejects one event over the byte limit', async () => {
    const app = testApp(createMemoryWriter(), { maxBatchEvents: 3 });
    const many = await app.request('/v1/batch', post(batch([event(), event(), event(), event()])));
    expect(many.status).toBe(413);
    expect(await errorCode(many)).toMatchObject({ code: 'too_many_events', message: expect.stringContaining('at most 3') as string });
    const big = await app.request('/v1/batch', post(batch([event(), event({ properties: { blob: 'x'.repeat(9000) } })])));
    const body = (await big.json()) as BatchResponse;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
  });

  it('bounds a Segment-shaped batch by its own count, not by the envelope count', async () => {
    const app = testApp(createMemoryWriter(), { maxBatchEvents: 2, maxSegmentBatchEvents: 3 });
    const message = (i: number) => ({ type: 'track', event: 'E', anonymousId: 'a', messageId: `m-${i}`, timestamp: '2026-11-26T09:00:00.000Z' });
    const three = await app.request('/v1/batch', post(JSON.stringify({ batch: [0, 1, 2].map(message) })));
    expect(three.status).toBe(200);
    expect(await three.json()).toMatchObject({ accepted: 3 });
    const four = await app.request('/v1/batch', post(JSON.stringify({ batch: [0, 1, 2, 3].map(message) })));
    expect(four.status).toBe(413);
    expect(await errorCode(four)).toMatchObject({ code: 'too_many_events', message: expect.stringContaining('at most 3') as string });
  });

  it('refuses a Segment batch whose shared context, copied into each message, would exceed the inflate limit (413), and takes one within it', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxDecompressedBytes: 64 * 1024 });
    const message = (i: number) => ({ type: 'track', event: 'E', anonymousId: 'a', messageId: `m-${i}` });
    const context = { custom: 'x'.repeat(6000) };
    const over = await app.request('/v1/batch', post(JSON.stringify({ batch: Array.from({ length: 11 }, (_, i) => message(i)), context })));
    expect(over.status).toBe(413);
    expect(await errorCode(over)).toMatchObject({ code: 'batch_context_too_large', message: expect.stringMatching(/context \(60\d{2} bytes\) copied into each of its 11 messages .* over the 65536-byte limit/) as string });
    expect(writer.records.get('events')).toBeUndefined();
    const within = await app.request('/v1/batch', post(JSON.stringify({ batch: Array.from({ length: 10 }, (_, i) => message(i)), context })));
    expect(within.status).toBe(200);
    expect(writer.records.get('events')).toHaveLength(10);
  });
});
