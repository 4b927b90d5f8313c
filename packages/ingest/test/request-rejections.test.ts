import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter } from '../src';
import { REQUEST_REJECTION_CODES } from '../src/errors';
import { basic, batch, event, post, testApp } from './helpers';

/** A request refused whole is in no event count: its code must show in the access log and on /metrics. */
describe('requests refused whole', () => {
  it('log their error code and count it in eventline_ingest_requests_rejected_total{code}', async () => {
    const lines: Record<string, unknown>[] = [];
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxBatchEvents: 2, maxBodyBytes: 4096 }, { log: (r) => lines.push(r) });
    const noKey = { method: 'POST', body: batch([event()]), headers: { 'content-type': 'application/json' } };
    const answers = [
      await app.request('/v1/batch', noKey),
      await app.request('/v1/batch', post(batch([event()]), { authorization: basic('wk_unknown') })),
      await app.request('/v1/batch', post('{"sent_at":')),
      await app.request('/v1/batch', post(batch([event(), event(), event()]))),
      await app.request('/v1/batch', post(batch([event({ properties: { blob: 'x'.repeat(5000) } })]))),
      await app.request('/v1/nowhere', post('{}')),
      await app.request('/v1/batch', post('{}')),
      await app.request('/v1/batch', post('{}')),
    ];
    expect(answers.map((r) => r.status)).toEqual([401, 401, 400, 413, 413, 404, 400, 400]);
    const codes = ['missing_write_key', 'invalid_write_key', 'invalid_json', 'too_many_events', 'body_too_large', 'not_found', 'invalid_batch', 'invalid_batch'];
    const logged = lines.filter((l) => l.msg === 'request');
    expect(logged.map((l) => l.error_code)).toEqual(codes);
    expect(logged[1]).toMatchObject({ status: 401, route: '/v1/batch', error_code: 'invalid_write_key' });

    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/^eventline_ingest_requests_rejected_total\{code="invalid_batch"\} 2$/m);
    for (const code of codes.slice(0, 6)) expect(text).toMatch(new RegExp(`^eventline_ingest_requests_rejected_total\\{code="${code}"\\} 1$`, 'm'));
    // Nothing reached the streams, and no event was counted: these requests are seen only here.
    expect(writer.records.size).toBe(0);
    expect(text).toMatch(/^eventline_ingest_events_total\{outcome="rejected"\} 0$/m);
  });

  it('has every code at 0 from the start, and counts neither /readyz nor a per-event answer', async () => {
    const down = { put: (_s: string, r: unknown[]) => Promise.resolve({ failed: r.map((_, i) => i), lastError: 'InternalFailure' }), ping: () => Promise.reject(new Error('down')) };
    const lines: Record<string, unknown>[] = [];
    const app = testApp(down, {}, { log: (r) => lines.push(r) });
    // 503 with per-event `retry` results: counted per event (events_total{outcome="retry"}), not as a refused request.
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(503);
    expect((await app.request('/readyz')).status).toBe(503);
    const text = await (await app.request('/metrics')).text();
    for (const code of REQUEST_REJECTION_CODES) expect(text).toMatch(new RegExp(`^eventline_ingest_requests_rejected_total\\{code="${code}"\\} 0$`, 'm'));
    expect(text).toMatch(/^eventline_ingest_events_total\{outcome="retry"\} 1$/m);
    expect(lines.filter((l) => l.msg === 'request').every((l) => !('error_code' in l))).toBe(true);
  });

  it("are listed, every code, in the README's metrics table", async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `eventline_ingest_requests_rejected_total`')) ?? '';
    for (const code of REQUEST_REJECTION_CODES) expect(row).toContain(`\`${code}\``);
  });
});
