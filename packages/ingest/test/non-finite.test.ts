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

  it('rejects one in a Segment message too', async () => {
    const writer = createMemoryWriter();
    const body = `{"batch":[{"type":"track","event":"E","anonymousId":"a","messageId":"m-1","timestamp":"2026-11-25T09:00:00.000Z","properties":{"big":1e999}}]}`;
    const res = await testApp(writer).request('/v1/batch', post(body));
    const answer = (await res.json()) as BatchResponse;
    expect(answer.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].properties.big', code: 'invalid_value' }] });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
  });
});
