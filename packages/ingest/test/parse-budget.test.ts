import { describe, expect, it } from 'vitest';
import { createMemoryWriter } from '../src';
import { batch, event, gzip, post, testApp } from './helpers';

describe('the budget of bytes being parsed at once (INGEST_MAX_PARSING_BYTES)', () => {
  it('answers 503 parsing_busy + Retry-After to bodies past the budget while others inflate, and takes them once it is free', async () => {
    const app = testApp(createMemoryWriter(), { maxParsingBytes: 1024 * 1024 });
    // ~700 KB inflated each: two do not fit in 1 MiB at once.
    const body = gzip(batch([event({ properties: { pad: 'x'.repeat(700 * 1024) } })]));
    const send = () => app.request('/v1/batch', post(body, { 'content-encoding': 'gzip' }));
    const answers = await Promise.all([send(), send(), send(), send()]);
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(busy[0]!.headers.get('retry-after')).toBe('1');
    expect(await busy[0]!.json()).toMatchObject({ error: { code: 'parsing_busy', message: expect.stringContaining('INGEST_MAX_PARSING_BYTES') as string } });
    // Nothing stays held: one after another, each is taken.
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  });

  it('always lets one body in when none is held, even one larger than the budget', async () => {
    const app = testApp(createMemoryWriter(), { maxParsingBytes: 1024 * 1024 });
    const res = await app.request('/v1/batch', post(gzip(batch([event({ properties: { pad: 'x'.repeat(2 * 1024 * 1024) } })])), { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
  });

  it('refuses a budget under 1 MiB as createApp options', () => {
    expect(() => testApp(createMemoryWriter(), { maxParsingBytes: 1000 })).toThrow(/options\.maxParsingBytes must be an integer ≥ 1048576, got 1000/);
  });

  it('still takes small bodies (plain, or gzip inflating to at most INGEST_MAX_BODY_BYTES) while big inflations hold the whole budget', async () => {
    const app = testApp(createMemoryWriter(), { maxParsingBytes: 1024 * 1024 });
    // 8 MiB of whitespace around one event: few values (passes the density guard), the budget's eightfold.
    const big = gzip(`${' '.repeat(8 * 1024 * 1024)}${batch([event()])}`);
    let bigsLeft = 4;
    const bigs = Array.from({ length: bigsLeft }, async () => {
      const res = await app.request('/v1/batch', post(big, { 'content-encoding': 'gzip' }));
      bigsLeft -= 1;
      return res.status;
    });
    const small: number[] = [];
    // Small batches one after another for as long as the big ones are being inflated.
    while (bigsLeft > 0 && small.length < 10) {
      const plain = batch(Array.from({ length: 20 }, () => event()));
      small.push((await app.request('/v1/batch', post(plain))).status);
      small.push((await app.request('/v1/batch', post(gzip(plain), { 'content-encoding': 'gzip' }))).status);
    }
    const bigStatuses = await Promise.all(bigs);
    expect(bigStatuses).toContain(503); // the budget was full
    expect(small.length).toBeGreaterThan(0);
    expect(small.every((s) => s === 200)).toBe(true);
  });
});
