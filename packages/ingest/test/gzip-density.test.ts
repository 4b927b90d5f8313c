import { describe, expect, it } from 'vitest';
import { createMemoryWriter } from '../src';
import { event, gzip, post, testApp } from './helpers';

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const sentAt = '2026-11-27T10:00:00.000Z';
/** 8 MiB less 1 KiB of `{},`: ~2.8M empty objects from ~8 KB of gzip (a 1,020× ratio). */
const emptyObjects = (head: string, inflated: number) => `${head}${'{},'.repeat(Math.floor((inflated - 1024 - head.length) / 3))}{}]}`;

describe('gzip bodies dense in JSON values (the amplification guard)', () => {
  it('refuses a few KB of gzip inflating to millions of values with 413 too_many_values, before parsing them', async () => {
    const app = testApp(createMemoryWriter());
    const bomb = gzip(emptyObjects(`{"sent_at":"${sentAt}","events":[`, 8 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(9000);
    const res = await app.request('/v1/batch', post(bomb, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'too_many_values', message: expect.stringContaining('send smaller batches (one inflating to at most 65536 bytes is never refused for this)') as string });
    // Outside the events array too: the count is of the whole body.
    const hidden = gzip(emptyObjects(`{"sent_at":"${sentAt}","events":[],"x":[`, 8 * 1024 * 1024));
    const elsewhere = await app.request('/v1/batch', post(hidden, { 'content-encoding': 'gzip' }));
    expect(elsewhere.status).toBe(413);
    expect((await errorOf(elsewhere)).code).toBe('too_many_values');
  });

  it('counts only the bytes past INGEST_MAX_BODY_BYTES: dense bytes beyond it are refused, within it they cost what a plain body does', async () => {
    const app = testApp(createMemoryWriter(), { maxBodyBytes: 1024 * 1024 });
    // 1 MiB + 400 KB of `{},`: the 400 KB past the plain-body limit hold ~270k values, from ~1.4 KB of gzip.
    const bomb = gzip(emptyObjects(`{"sent_at":"${sentAt}","events":[`, 1024 * 1024 + 400 * 1024));
    const res = await app.request('/v1/batch', post(bomb, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'too_many_values', message: expect.stringContaining('past its first 1048576 bytes (INGEST_MAX_BODY_BYTES)') as string });
    // The same values within the limit (gzip-plain-parity.test.ts): parsed, and refused as the plain body is, for its events.
    const within = await app.request('/v1/batch', post(gzip(emptyObjects(`{"sent_at":"${sentAt}","events":[`, 1024 * 1024)), { 'content-encoding': 'gzip' }));
    expect(within.status).toBe(413);
    expect((await errorOf(within)).code).toBe('too_many_events');
  });

  it('takes highly repetitive legitimate batches: 500 identical events of 300 properties each, 1000 near-identical Segment messages', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const properties = Object.fromEntries(Array.from({ length: 300 }, (_, k) => [`k${k}`, [k, { x: 1 }]]));
    const events = Array.from({ length: 500 }, (_, seq) => event({ seq, client_ts: sentAt, properties }));
    const ours = await app.request('/v1/batch', post(gzip(JSON.stringify({ sent_at: sentAt, events })), { 'content-encoding': 'gzip' }));
    expect(ours.status).toBe(200);
    expect(await ours.json()).toMatchObject({ accepted: 500 });
    const message = (i: number) => ({ type: 'track', event: 'Order Completed', anonymousId: 'anon-1', messageId: `m-${i}`, timestamp: sentAt, context: { library: { name: 'analytics-node', version: '3.1.0' } }, properties: { revenue: 10, products: [{ id: 1 }, { id: 2 }] } });
    const segment = await app.request('/v1/batch', post(gzip(JSON.stringify({ batch: Array.from({ length: 1000 }, (_, i) => message(i)), sentAt })), { 'content-encoding': 'gzip' }));
    expect(segment.status).toBe(200);
    expect(await segment.json()).toMatchObject({ accepted: 1000 });
  });
});
