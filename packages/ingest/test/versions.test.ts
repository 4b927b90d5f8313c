import { describe, expect, it } from 'vitest';
import { CURRENT_VERSIONS, upcast } from '@eventline/schemas';
import { createMemoryWriter, type BatchResponse } from '../src';
import { batch, decode, event, post, testApp } from './helpers';

/** A campaign as the SDK sends it in `context.first_touch`. */
const campaign = { source: 'newsletter', medium: 'email', name: 'black-friday' };
const library = { name: 'test', version: '0' };

async function send(events: unknown[]) {
  const writer = createMemoryWriter();
  const res = await testApp(writer).request('/v1/batch', post(batch(events)));
  return { status: res.status, body: (await res.json()) as BatchResponse, writer };
}

type MemoryWriter = ReturnType<typeof createMemoryWriter>;

const stored = (writer: MemoryWriter) => (writer.records.get('events') ?? []).map((r) => decode(r.data));
const badRows = (writer: MemoryWriter) => (writer.records.get('events-bad') ?? []).map((r) => decode(r.data));

describe('envelope versions at the ingest', () => {
  it('accepts version 1 events (schema_version 1, and absent) with a campaign first_touch and stores them as version 2, first_touch intact', async () => {
    const sent = [event({ schema_version: 1, anonymous_id: 'dev-1', context: { library, first_touch: campaign } }), event({ anonymous_id: 'dev-2', context: { library, first_touch: campaign } })];
    const { body, writer } = await send(sent);
    expect(body).toMatchObject({ accepted: 2, rejected: 0 });
    const records = stored(writer);
    expect(records.map((r) => r.event_id)).toEqual(sent.map((e) => e.event_id));
    for (const record of records) {
      expect(record.schema_version).toBe(2);
      expect(record.context).toMatchObject({ library, first_touch: campaign });
      expect(record.context).not.toHaveProperty('legacy_first_touch');
    }
  });

  it('stores a version 1 first_touch that is not a campaign under context.legacy_first_touch, unchanged', async () => {
    const odd = { source: 'google', landing: '/home' };
    const sent = [event({ schema_version: 1, context: { library, first_touch: 'google' } }), event({ context: { library, first_touch: odd } })];
    const { body, writer } = await send(sent);
    expect(body).toMatchObject({ accepted: 2, rejected: 0 });
    const [text, object] = stored(writer);
    expect(text).toMatchObject({ schema_version: 2, event_id: sent[0]!.event_id, context: { library, legacy_first_touch: 'google' } });
    expect(text!.context).not.toHaveProperty('first_touch');
    expect(object).toMatchObject({ schema_version: 2, context: { legacy_first_touch: odd } });
    expect(object!.context).not.toHaveProperty('first_touch');
    // The ingest's own server block still closes the context of an upcast event.
    expect(Object.keys(text!.context as object).at(-1)).toBe('server');
  });

  it('rejects a version 2 event whose first_touch is not a campaign at its path, and accepts its neighbours', async () => {
    const before = event({ schema_version: 2, context: { library, first_touch: campaign } });
    const bad = event({ schema_version: 2, context: { library, first_touch: { ...campaign, landing: '/home' } } });
    const after = event({ context: { library, first_touch: 'google' } });
    const { status, body, writer } = await send([before, bad, after]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    const rejected = body.results[1]!;
    if (rejected.status !== 'rejected') throw new Error('expected rejected');
    expect(rejected.code).toBe('invalid_event');
    expect(rejected.issues.length).toBeGreaterThan(0);
    for (const issue of rejected.issues) expect(issue.path.startsWith('events[1].context.first_touch')).toBe(true);
    const [row] = badRows(writer);
    expect(row).toMatchObject({ error_type: 'invalid_event', issues: rejected.issues });
    expect(JSON.parse(row!.payload as string)).toEqual(bad);
    expect(stored(writer).map((r) => r.event_id)).toEqual([before.event_id, after.event_id]);
  });

  it('rejects a version newer than the ingest on events[i].schema_version, saying it is newer', async () => {
    const { body, writer } = await send([event(), event({ schema_version: 3 })]);
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[1]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[1].schema_version', code: 'too_big' }] });
    const rejected = body.results[1] as Extract<BatchResponse['results'][number], { status: 'rejected' }>;
    expect(rejected.issues).toHaveLength(1);
    expect(rejected.issues[0]!.message).toMatch(/newer/);
    expect(badRows(writer)).toMatchObject([{ error_type: 'invalid_event', issues: rejected.issues }]);
  });

  it('rejects a schema_version that is not an integer as invalid_type', async () => {
    const { body } = await send([event({ schema_version: '2' }), event({ schema_version: 1.5 })]);
    expect(body).toMatchObject({ accepted: 0, rejected: 2 });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].schema_version', code: 'invalid_type' }] });
    expect(body.results[1]).toMatchObject({ status: 'rejected', issues: [{ path: 'events[1].schema_version', code: 'invalid_type' }] });
  });

  it('rejects a version 1 event whose odd first_touch cannot move (legacy_first_touch taken), and its bad row keeps it as sent', async () => {
    const sent = event({ schema_version: 1, context: { library, first_touch: 'google', legacy_first_touch: 'bing' } });
    const { body, writer } = await send([sent]);
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].context.first_touch' }] });
    expect(JSON.parse(badRows(writer)[0]!.payload as string)).toEqual(sent);
  });

  it('keeps the bad row of an upcast event as the client sent it (version 1, first_touch in place)', async () => {
    const sent = event({ schema_version: 1, seq: -1, context: { library, first_touch: 'google' } });
    const { body, writer } = await send([sent]);
    expect(body.results[0]).toMatchObject({ status: 'rejected', issues: [{ path: 'events[0].seq' }] });
    expect(JSON.parse(badRows(writer)[0]!.payload as string)).toEqual(sent);
  });

  it('returns a current event as it is (no copy), and leaves an older one unchanged', () => {
    const current = event({ schema_version: 2 }) as unknown as Record<string, unknown>;
    const up = upcast(current, CURRENT_VERSIONS, 'events[0]');
    expect(up.ok && up.value).toBe(current);
    const older = event({ schema_version: 1, context: { library, first_touch: 'google' } });
    const copy = structuredClone(older);
    const upOlder = upcast(older, CURRENT_VERSIONS, 'events[0]');
    expect(upOlder.ok && upOlder.value.schema_version).toBe(2);
    expect(older).toEqual(copy);
  });

  it('maps Segment messages to version 2 events, their first_touch checked as a campaign', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const context = (firstTouch: unknown) => ({ library: { name: 'analytics.js', version: '1' }, first_touch: firstTouch });
    const messages = [
      { type: 'track', anonymousId: 'anon-1', event: 'Signed Up', context: context(campaign) },
      { type: 'track', anonymousId: 'anon-1', event: 'Signed Up', context: context('google') },
    ];
    const res = await app.request('/v1/batch', post(JSON.stringify({ batch: messages })));
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const [kept, moved] = stored(writer);
    expect(kept).toMatchObject({ schema_version: 2, context: { first_touch: campaign } });
    expect(moved).toMatchObject({ schema_version: 2, context: { segment_extra: { context: { first_touch: 'google' } } } });
    expect(moved!.context).not.toHaveProperty('first_touch');
  });

  it('stores a Segment message rebuilt without its extras (too deep with them) as version 2, and refuses one over the limit as sent', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxEventBytes: 32 * 1024, maxBodyBytes: 256 * 1024 });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 31; i++) deep = { n: deep };
    const message = { type: 'track', anonymousId: 'anon-1', event: 'Deep', integrations: deep, context: { first_touch: campaign } };
    const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [message] })));
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const [record] = stored(writer);
    expect(record).toMatchObject({ schema_version: 2, context: { first_touch: campaign, segment_extra: { dropped: 'too_deep' } } });
    // 31 KiB of properties and 4 KiB of integrations: over the limit as sent, refused (extras or not).
    const big = { type: 'track', anonymousId: 'anon-1', event: 'Big', properties: { blob: 'p'.repeat(31 * 1024) }, integrations: { Big: 'i'.repeat(4 * 1024) }, context: { first_touch: campaign } };
    const refused = await app.request('/v1/batch', post(JSON.stringify({ batch: [big] })));
    expect(await refused.json()).toMatchObject({ accepted: 0, rejected: 1, results: [{ code: 'event_too_large' }] });
  });
});
