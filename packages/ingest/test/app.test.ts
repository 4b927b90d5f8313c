import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createBatchingWriter, createMemorySink, createMemoryWriter, WRITER_DEFAULTS, type BatchResponse, type RecordWriter } from '../src';
import { basic, batch, event, post, testApp } from './helpers';
import { createMetrics } from '../src/http/metrics';

const decode = (d: Uint8Array) => JSON.parse(Buffer.from(d).toString('utf8')) as Record<string, unknown>;

describe('POST /v1/batch', () => {
  it('writes valid events with server fields, keyed by device id, and answers per event', async () => {
    const writer = createMemoryWriter();
    const events = [event({ anonymous_id: 'dev-a' }), event({ anonymous_id: 'dev-b', seq: 2 })];
    const res = await testApp(writer).request('/v1/batch', post(batch(events)));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 2, rejected: 0, retry: 0 });
    expect(body.results.map((r) => r.event_id)).toEqual(events.map((e) => e.event_id));
    const written = writer.records.get('events') ?? [];
    expect(written.map((r) => r.partitionKey)).toEqual(['dev-a', 'dev-b']);
    const stored = decode(written[0]!.data);
    expect(stored).toMatchObject({ event_id: events[0]!.event_id, app_id: 'shop', received_at: '2026-11-25T10:00:00.000Z', schema_version: 2 });
    expect(stored.sent_at).toEqual(expect.any(String));
  });

  it('rejects only the bad events, with code and field path, and routes them to the bad-rows stream', async () => {
    const writer = createMemoryWriter();
    const good = event();
    const badEvent = event({ properties: { af_revenue: 'lots' } });
    const res = await testApp(writer).request('/v1/batch', post(batch([good, badEvent])));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[1]).toMatchObject({
      event_id: badEvent.event_id,
      status: 'rejected',
      code: 'invalid_event',
      issues: [{ path: 'events[1].properties.af_revenue', code: 'invalid_type', message: 'expected number' }],
    });
    const bad = (writer.records.get('events-bad') ?? []).map((r) => decode(r.data));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ error_type: 'invalid_event', app_id: 'shop' });
    expect(JSON.parse(bad[0]!.payload as string)).toEqual(badEvent);
    expect(writer.records.get('events')).toHaveLength(1);
  });

  it('rejects an event holding U+0000 or a lone surrogate (which PostgreSQL cannot store) at its path, and keeps it as a bad row', async () => {
    const writer = createMemoryWriter();
    const withNul = event({ properties: { note: 'a\u0000b' } });
    const inContext = event({ context: { library: { name: 'test', version: '0' }, 'k\u0000': 1 } });
    const loneSurrogate = event({ traits: { name: 'x\ud800' } });
    const lookalike = event({ properties: { note: 'a\\u0000b' } }); // a backslash, then "u0000": no NUL
    const res = await testApp(writer).request('/v1/batch', post(batch([withNul, lookalike, inContext, loneSurrogate])));
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 1, rejected: 3 });
    expect(body.results[3]).toMatchObject({ status: 'rejected', issues: [{ path: 'events[3].traits.name', code: 'invalid_value' }] });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].properties.note', code: 'invalid_value' }] });
    expect(body.results[2]).toMatchObject({ status: 'rejected', issues: [{ path: 'events[2].context["k\\u0000"]' }] });
    // Its bad row keeps the event as it would have been stored (as for an event too large).
    const bad = (writer.records.get('events-bad') ?? []).map((r) => decode(r.data));
    expect(JSON.parse(bad[0]!.payload as string)).toMatchObject({ ...withNul, app_id: 'shop' });
    expect(decode(writer.records.get('events')![0]!.data)).toMatchObject({ event_id: lookalike.event_id, properties: { note: 'a\\u0000b' } });
  });

  it('rejects an event over the per-event byte limit', async () => {
    const writer = createMemoryWriter();
    const res = await testApp(writer).request('/v1/batch', post(batch([event({ properties: { blob: 'x'.repeat(9000) } })])));
    const body = (await res.json()) as BatchResponse;
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'event_too_large' });
    // Its bad row carries the event as it would have been stored: client fields and server fields.
    const row = decode((writer.records.get('events-bad') ?? [])[0]!.data);
    const stored = JSON.parse(row.payload as string) as Record<string, unknown> & { context: { library: unknown; server: { request_id: string } } };
    expect(stored).toMatchObject({ event_id: body.results[0]!.event_id, app_id: 'shop', schema_version: 2, properties: { blob: 'x'.repeat(9000) } });
    expect(stored.context).toMatchObject({ library: { name: 'test' }, server: { request_id: body.request_id } });
  });

  it("cuts a bad row's payload at 64 KiB of UTF-8, not 64 Ki UTF-16 units, without splitting a character", async () => {
    const writer = createMemoryWriter();
    // 30,000 three-byte characters: 30 Ki UTF-16 units but ~90 KB of UTF-8.
    const big = event({ seq: -1, properties: { note: '€'.repeat(30_000) } });
    const res = await testApp(writer, { maxBodyBytes: 1024 * 1024 }).request('/v1/batch', post(batch([big])));
    expect(await res.json()).toMatchObject({ rejected: 1 });
    const row = decode((writer.records.get('events-bad') ?? [])[0]!.data) as { payload: string; payload_truncated: boolean };
    expect(row.payload_truncated).toBe(true);
    const bytes = Buffer.byteLength(row.payload, 'utf8');
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(bytes).toBeGreaterThan(64 * 1024 - 3);
    expect(JSON.stringify(big).startsWith(row.payload)).toBe(true);
  });

  it('answers 400 with a reason for malformed JSON and for a bad envelope', async () => {
    const app = testApp(createMemoryWriter());
    const malformed = await app.request('/v1/batch', post('{"events": ['));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const envelope = await app.request('/v1/batch', post(JSON.stringify({ events: 'nope' })));
    expect(envelope.status).toBe(400);
    const body = (await envelope.json()) as { error: { code: string; issues: { path: string; code: string }[] } };
    expect(body.error.code).toBe('invalid_batch');
    expect(body.error.issues).toContainEqual({ path: 'sent_at', code: 'required', message: 'required' });
  });

  it('bounds the issues of a bad envelope as it bounds a rejected event\'s: huge unknown keys are quoted cut', async () => {
    const app = testApp(createMemoryWriter(), { maxBodyBytes: 1024 * 1024 });
    const envelope: Record<string, unknown> = { sent_at: new Date().toISOString(), events: [event()] };
    for (let i = 0; i < 5; i++) envelope[`${'k'.repeat(150_000)}${i}`] = 1;
    const res = await app.request('/v1/batch', post(JSON.stringify(envelope)));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(16 * 1024);
    const body = JSON.parse(text) as { error: { code: string; issues: { path: string }[]; issues_truncated?: boolean } };
    expect(body.error.code).toBe('invalid_batch');
    expect(body.error.issues_truncated).toBe(true);
    expect(body.error.issues.length).toBeGreaterThan(0);
    expect(body.error.issues[0]!.path.startsWith('kkkk')).toBe(true);
  });

  it('answers 401 without a key or with an unknown key, before reading the body', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const none = await app.request('/v1/batch', { method: 'POST', body: batch([event()]) });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'missing_write_key' } });
    const wrong = await app.request('/v1/batch', post(batch([event()]), { authorization: basic('nope') }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_write_key' } });
    expect(writer.records.size).toBe(0);
  });

  it('answers 413 when the body is over the limit', async () => {
    const res = await testApp(createMemoryWriter(), { maxBodyBytes: 1024 }).request('/v1/batch', post(batch([event({ properties: { s: 'y'.repeat(2000) } })])));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('answers 503 with Retry-After when Kinesis takes none of the events', async () => {
    const down: RecordWriter = {
      put: (_s, records) => Promise.resolve({ failed: records.map((_, i) => i), lastError: 'InternalFailure' }),
      ping: () => Promise.reject(new Error('down')),
    };
    const app = testApp(down);
    const res = await app.request('/v1/batch', post(batch([event(), event()])));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 0, retry: 2 });
    expect((await app.request('/readyz')).status).toBe(503);
  });

  it('answers retry for just the entries Kinesis did not take', async () => {
    const half: RecordWriter = {
      put: (_s, records) => Promise.resolve({ failed: records.flatMap((_, i) => (i % 2 === 1 ? [i] : [])) }),
      ping: () => Promise.resolve(),
    };
    const res = await testApp(half).request('/v1/batch', post(batch([event(), event(), event()])));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'retry', 'accepted']);
  });
});

describe('other routes', () => {
  it('answers health, readiness, CORS preflight and unknown routes', async () => {
    const app = testApp(createMemoryWriter());
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.request('/readyz')).status).toBe(200);
    const preflight = await app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const missing = await app.request('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('writer refusals and observability', () => {
  it('answers 503 with the breaker wait as Retry-After, and /readyz 503 while the circuit is open', async () => {
    const open: RecordWriter = {
      put: (_s, records) => Promise.resolve({ failed: records.map((_, i) => i), lastError: 'circuit open', retryAfterMs: 4200 }),
      ping: () => Promise.resolve(),
      health: () => ({ ok: false, reason: 'InternalFailure' }),
    };
    const app = testApp(open);
    const res = await app.request('/v1/batch', post(batch([event()])));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: 'queue_unavailable', message: expect.stringContaining('InternalFailure') as string } });
  });

  it("tells /readyz's public callers the failing error's name only; its text (account, role ARN) goes to the log", async () => {
    const reason = 'ResourceNotFoundException: Stream nope under account 000000000000 not found.';
    const open: RecordWriter = { put: () => Promise.resolve({ failed: [] }), ping: () => Promise.resolve(), health: () => ({ ok: false, reason }) };
    const logged: Record<string, unknown>[] = [];
    const ready = await testApp(open, {}, { log: (r) => logged.push(r) }).request('/readyz');
    expect(ready.status).toBe(503);
    const { error } = (await ready.json()) as { error: { code: string; message: string } };
    expect(error).toEqual(expect.objectContaining({ code: 'queue_unavailable', message: 'Kinesis writes are failing (circuit open): ResourceNotFoundException' }));
    expect(error.message).not.toContain('000000000000');
    expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'not ready: Kinesis writes are failing (circuit open)', error: reason }));
  });

  it('serves Prometheus text with request, event and writer metrics, all named eventline_ingest_*', async () => {
    const writer = createBatchingWriter(createMemorySink(), { ...WRITER_DEFAULTS, lingerMs: 0 }, () => Promise.resolve());
    const app = testApp(writer);
    await app.request('/v1/batch', post(batch([event(), event({ seq: -1 })])));
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^eventline_ingest_events_total\{outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^eventline_ingest_events_total\{outcome="rejected"\} 1$/m);
    expect(text).toMatch(/^eventline_ingest_events_total\{outcome="retry"\} 0$/m);
    expect(text).toMatch(/^eventline_ingest_kinesis_records_written_total 2$/m);
    expect(text).toMatch(/^eventline_ingest_writer_circuit_open 0$/m);
    expect(text).toMatch(/^eventline_ingest_http_requests_total\{route="\/v1\/batch",status="200"\} 1$/m);
    expect(text).toMatch(/^eventline_ingest_http_request_duration_seconds_count\{route="\/v1\/batch"\} 1$/m);
    expect(ingestMetricNames(text)).toEqual(INGEST_METRICS);
  });

  it('has every event outcome at 0 before the first event, so rate() and alerts see the series at once', async () => {
    const text = await (await testApp(createMemoryWriter()).request('/metrics')).text();
    for (const outcome of ['accepted', 'rejected', 'retry']) expect(text).toMatch(new RegExp(`^eventline_ingest_events_total\\{outcome="${outcome}"\\} 0$`, 'm'));
    expect(text).not.toMatch(/status="(accepted|rejected|retry)"/);
  });

  it("has the Node process metrics in each app's registry, collected once per process", async () => {
    const [one, two] = await Promise.all([testApp(createMemoryWriter()), testApp(createMemoryWriter())].map(async (app) => (await app.request('/metrics')).text()));
    for (const text of [one!, two!]) {
      for (const name of PROCESS_METRICS) expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      expect(text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    }
    // Once per process: both apps' registries hold the very same collector, not one each.
    const [a, b] = [createMetrics(), createMetrics()];
    expect(a.registry.getSingleMetric('nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(a.registry.getSingleMetric('nodejs_eventloop_lag_seconds')).toBe(b.registry.getSingleMetric('nodejs_eventloop_lag_seconds'));
  });

  it('with metrics off (INGEST_METRICS=off) has no /metrics route and still ingests', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { metrics: false });
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    const res = await app.request('/metrics');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(writer.records.get('events')).toHaveLength(1);
  });

  it('lists every metric in the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of [...INGEST_METRICS, ...PROCESS_METRICS]) expect(readme).toContain(`\`${name}`);
  });
});

/** Every metric the ingest defines (with a writer that reports stats); the README's table lists the same. */
const INGEST_METRICS = [
  'eventline_ingest_events_total',
  'eventline_ingest_http_request_duration_seconds',
  'eventline_ingest_http_requests_total',
  'eventline_ingest_kinesis_entry_failures_total',
  'eventline_ingest_kinesis_put_calls_total',
  'eventline_ingest_kinesis_records_written_total',
  'eventline_ingest_lambda_encoded_bodies_total',
  'eventline_ingest_requests_rejected_total',
  'eventline_ingest_segment_extra_dropped_total',
  'eventline_ingest_writer_bytes_in_flight',
  'eventline_ingest_writer_circuit_open',
  'eventline_ingest_writer_records_queued',
  'eventline_ingest_writer_refused_total',
];

/** Some of prom-client's default metrics, the ones the README names. */
const PROCESS_METRICS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'];

/** The names in `# TYPE` lines that are not prom-client's process metrics. */
function ingestMetricNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!).filter((name) => !/^(process|nodejs)_/.test(name)).sort();
}
