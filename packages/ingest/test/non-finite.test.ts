import { describe, expect, it } from 'vitest';
import { createMemoryWriter, type BatchResponse } from '../src';
import { decode, event, post, testApp } from './helpers';

/** The event as JSON text with `"properties":{…}` replaced by raw text (1e999 cannot be written from JS). */
const withRawProperties = (properties: string, overrides: Record<string, unknown> = {}) => JSON.stringify(event({ properties: { x: 0 }, ...overrides })).replace('{"x":0}', properties);

describe('numbers JSON text can write but not carry (1e999)', () => {
  it('rejects an event with a number beyond ±1.8e308 as invalid_event naming its path, writes its bad row, and keeps its neighbours', async () => {
    const writer = createMemoryWriter();
    const ok = event({ user_id: null });
    const body = `{"sent_at":"${new Date().toISOString()}","events":[${JSON.stringify(ok)},${withRawProperties('{"big":1e999}')},${withRawProperties('{"list":[1,{"neg":-1e999}]}')}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as BatchResponse;
    expect(answer.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(answer.results[1]).toMatchObject({ code: 'invalid_event', issues: [{ path: 'events[1].properties.big', code: 'invalid_value', message: expect.stringContaining('1e999') as string }] });
    expect(answer.results[2]).toMatchObject({ code: 'invalid_event', issues: [{ path: 'events[2].properties.list[1].neg', code: 'invalid_value' }] });
    expect((writer.records.get('events') ?? []).map((r) => decode(r.data).event_id)).toEqual([ok.event_id]);
    const badRows = (writer.records.get('events-bad') ?? []).map((r) => decode(r.data));
    expect(badRows).toHaveLength(2);
    expect(JSON.stringify(badRows[0])).toContain('events[1].properties.big');
  });

  it('names an object key that looks like an index as ["0"] (it read as the array index [0])', async () => {
    const writer = createMemoryWriter();
    const body = `{"sent_at":"${new Date().toISOString()}","events":[${withRawProperties('{"0":{"7":1e999}}')},${withRawProperties('{"0":[1e999]}')}]}`;
    const answer = (await (await testApp(writer).request('/v1/batch', post(body))).json()) as BatchResponse;
    expect(answer.results.map((r) => (r.status === 'rejected' ? r.issues?.[0]?.path : r.status))).toEqual(['events[0].properties["0"]["7"]', 'events[1].properties["0"][0]']);
  });

  it('rejects one in a Segment message too', async () => {
    const writer = createMemoryWriter();
    const body = `{"batch":[{"type":"track","event":"E","anonymousId":"a","messageId":"m-1","timestamp":"2026-11-25T09:00:00.000Z","properties":{"big":1e999}}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    const answer = (await res.json()) as BatchResponse;
    expect(answer.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].properties.big', code: 'invalid_value' }] });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
  });

  it('rejects one in the context too (the encoder spends the context before the stored form is searched)', async () => {
    const writer = createMemoryWriter();
    const raw = (context: string) => JSON.stringify(event({ properties: { a: 1 } })).replace(/"context":\{/, `"context":{${context},`);
    const body = `{"sent_at":"${new Date().toISOString()}","events":[${raw('"custom":1e999')},${raw('"extra":{"x":[1,-1e999]}')}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    const answer = (await res.json()) as BatchResponse;
    expect(answer.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].context.custom', code: 'invalid_value' }] });
    expect(answer.results[1]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[1].context.extra.x[1]', code: 'invalid_value' }] });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
  });

  it('stores a Segment message whose extras hold one without its extras, marked unstorable_number and counted', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const message = (extra: string) => `{"type":"track","event":"E","anonymousId":"a","messageId":"m-${extra.length}","timestamp":"2026-11-25T09:00:00.000Z","properties":{"ok":1}${extra}}`;
    const body = `{"batch":[${message(',"foo":1e999')},${message(',"context":{"library":{"name":"analytics.js","version":"3"},"screen":{"width":1e999}}')}]}`;
    const res = await app.request('/v1/batch', post(body));
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const stored = (writer.records.get('events') ?? []).map((r) => decode(r.data));
    expect(stored).toHaveLength(2);
    for (const e of stored) expect((e.context as Record<string, unknown>).segment_extra).toEqual({ dropped: 'unstorable_number', bytes: expect.any(Number) as number });
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/^eventline_ingest_segment_extra_dropped_total\{reason="unstorable_number"\} 2$/m);
  });

  it('never stores a Segment context.library name or version of 1e999 as "Infinity": out of its slot, like any context misfit', async () => {
    const writer = createMemoryWriter();
    const message = (i: number, library: string) => `{"type":"track","event":"E","anonymousId":"a","messageId":"m-${i}","timestamp":"2026-11-25T09:00:00.000Z","context":{"library":${library}},"properties":{"ok":1}}`;
    const body = `{"batch":[${message(1, '{"name":"analytics-x","version":1e999}')},${message(2, '{"name":-1e999,"version":"1.0"}')},${message(3, '{"name":"analytics-x","version":3}')}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const stored = (writer.records.get('events') ?? []).map((r) => decode(r.data));
    const contexts = stored.map((e) => e.context as Record<string, unknown>);
    // The slot gets the mapping's defaults; the value as sent cannot be stored, so the extras say so (counted, as for context.screen.width).
    expect(contexts.map((c) => c.library)).toEqual([
      { name: 'analytics-x', version: 'unknown' },
      { name: 'segment-http', version: '1.0' },
      { name: 'analytics-x', version: '3' },
    ]);
    expect(contexts[0]!.segment_extra).toEqual({ dropped: 'unstorable_number', bytes: expect.any(Number) as number });
    expect(contexts[1]!.segment_extra).toEqual({ dropped: 'unstorable_number', bytes: expect.any(Number) as number });
    expect(JSON.stringify(stored)).not.toContain('Infinity');
  });

  it('refuses a Segment id that is such a number, naming the field (not stored as "Infinity")', async () => {
    const writer = createMemoryWriter();
    const message = (ids: string) => `{"type":"track","event":"E","timestamp":"2026-11-25T09:00:00.000Z",${ids}}`;
    const body = `{"batch":[${message('"anonymousId":"a","userId":1e999')},${message('"anonymousId":-1e999')},${message('"anonymousId":"a","messageId":1e999')}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    const answer = (await res.json()) as BatchResponse;
    expect(answer.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(answer.results[0]).toMatchObject({ code: 'invalid_event', issues: [{ path: 'batch[0].userId', code: 'invalid_value' }] });
    expect(answer.results[1]).toMatchObject({ code: 'invalid_event', issues: [{ path: 'batch[1].anonymousId', code: 'invalid_value' }] });
    expect(answer.results[2]).toMatchObject({ code: 'invalid_event', issues: [{ path: 'batch[2].messageId', code: 'invalid_value' }] });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
  });
});
