import { describe, expect, it } from 'vitest';
import { findUnstorableText, formatIssue, pointerToPath, tooDeepIssue, validateBatchShape, validateEvent, validateStoredEvent } from '../src';
import { validEvent } from './fixtures';

describe('validateEvent', () => {
  it('accepts a complete track event', () => {
    expect(validateEvent(validEvent())).toEqual({ ok: true, value: validEvent() });
  });

  it('names the exact field path of a wrong type', () => {
    const bad = validEvent({ properties: { af_revenue: '12.50' } });
    const result = validateEvent(bad, 'events[3]');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual(['events[3].properties.af_revenue: expected number']);
    expect(result.issues[0]?.code).toBe('invalid_type');
  });

  it("names a nullable field's own rule when a value of its type breaks it (a long user_id said \"expected string or null\")", () => {
    const long = validateEvent(validEvent({ user_id: 'u'.repeat(257) }));
    expect(long.ok ? [] : long.issues).toEqual([{ path: 'user_id', code: 'too_long', message: 'expected at most 256 characters' }]);
    const empty = validateEvent(validEvent({ user_id: '' }));
    expect(empty.ok ? [] : empty.issues).toEqual([{ path: 'user_id', code: 'too_short', message: 'expected at least 1 character' }]);
    // A value of neither type still names both.
    const number = validateEvent(validEvent({ user_id: 42 }));
    expect(number.ok ? [] : number.issues).toEqual([{ path: 'user_id', code: 'invalid_type', message: 'expected string or null' }]);
  });

  it('reports every missing required field', () => {
    const result = validateEvent({ type: 'track' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['anonymous_id', 'client_ts', 'context', 'event_id', 'seq']);
    expect(result.issues.every((i) => i.code === 'required')).toBe(true);
  });

  it('rejects an unknown type with the allowed values', () => {
    const result = validateEvent(validEvent({ type: 'click' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ path: 'type', code: 'invalid_value' });
    expect(result.issues[0]?.message).toContain('"track"');
  });

  it('requires a UUIDv7 event id and RFC 3339 timestamps', () => {
    const v4 = validateEvent(validEvent({ event_id: '0b6e9a52-6d0f-4d7b-9c1f-0a3a4c3e2f11' }));
    expect(v4.ok ? [] : v4.issues.map(formatIssue)).toEqual(['event_id: expected format uuid-v7']);
    const ts = validateEvent(validEvent({ client_ts: '25/11/2026' }));
    expect(ts.ok ? [] : ts.issues.map((i) => i.path)).toEqual(['client_ts']);
    const impossible = validateEvent(validEvent({ client_ts: '2026-13-45T99:00:00Z' }));
    expect(impossible.ok).toBe(false);
  });

  it('rejects server fields sent by a client', () => {
    const result = validateEvent({ ...validEvent(), app_id: 'other-app' });
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'app_id', code: 'unexpected_property', message: 'unexpected property' },
    ]);
  });

  it('applies per-type rules', () => {
    const track = validEvent();
    delete track.event;
    expect(validateEvent(track).ok).toBe(false);
    expect(validateEvent(validEvent({ type: 'identify', event: undefined, user_id: 'u-1' })).ok).toBe(true);
    // An anonymous identify (traits before sign-up): the device id the envelope always has is enough.
    expect(validateEvent(validEvent({ type: 'identify', event: undefined, user_id: null, traits: { plan: 'pro' } })).ok).toBe(true);
    expect(validateEvent(validEvent({ type: 'identify', event: undefined })).ok).toBe(true);
    const noIds = validEvent({ type: 'identify', event: undefined, user_id: null });
    delete (noIds as Record<string, unknown>).anonymous_id;
    const identify = validateEvent(noIds);
    expect(identify.ok ? [] : identify.issues.map(formatIssue)).toEqual(['anonymous_id: required']);
    const alias = validateEvent(validEvent({ type: 'alias', event: undefined, user_id: null, previous_id: 'anon-1' }));
    expect(alias.ok ? [] : alias.issues.map(formatIssue)).toEqual(['user_id: required for type "alias"']);
    const page = validEvent({ type: 'page', context: { library: { name: 'x', version: '1' }, page: { url: 'https://a.test/' } } });
    delete page.event;
    expect(validateEvent(page).ok).toBe(true);
  });

  it('keeps custom properties and checks typed AppsFlyer keys', () => {
    expect(validateEvent(validEvent({ properties: { anything: { nested: [1, 2] } } })).ok).toBe(true);
    const bad = validateEvent(validEvent({ properties: { af_currency: 'euro', af_quantity: 1.5 } }));
    expect(bad.ok ? [] : bad.issues.map((i) => i.path).sort()).toEqual(['properties.af_currency', 'properties.af_quantity']);
  });

  it('refuses an af_quantity past 2^53 - 1, which JSON numbers (doubles) cannot hold exactly (it was rounded silently)', () => {
    expect(validateEvent(validEvent({ properties: { af_quantity: Number.MAX_SAFE_INTEGER } })).ok).toBe(true);
    const big = validateEvent(JSON.parse(JSON.stringify(validEvent({ properties: { af_quantity: 1 } })).replace('"af_quantity":1', '"af_quantity":9007199254740993')));
    expect(big.ok ? [] : big.issues.map(formatIssue)).toEqual(['properties.af_quantity: expected at most 9007199254740991']);
  });

  it('does not throw on values of any shape', () => {
    for (const v of [null, undefined, 1, 'x', [], [1], { events: 1 }, new Date()]) {
      expect(validateEvent(v).ok).toBe(false);
    }
  });
});

describe('validateStoredEvent', () => {
  it('requires the server fields', () => {
    const r = validateStoredEvent(validEvent());
    expect(r.ok ? [] : r.issues.map((i) => i.path).sort()).toEqual(['app_id', 'received_at']);
    expect(validateStoredEvent({ ...validEvent(), app_id: 'shop', received_at: '2026-11-25T13:31:12Z' }).ok).toBe(true);
  });
});

describe('validateBatchShape', () => {
  it('accepts a batch and leaves events to per-event validation', () => {
    expect(validateBatchShape({ sent_at: '2026-11-25T13:31:12Z', events: [{}] }).ok).toBe(true);
  });
  it('rejects an empty or oversized batch with the reason', () => {
    const empty = validateBatchShape({ sent_at: '2026-11-25T13:31:12Z', events: [] });
    expect(empty.ok ? [] : empty.issues.map(formatIssue)).toEqual(['events: expected at least 1 item']);
    const big = validateBatchShape({ sent_at: '2026-11-25T13:31:12Z', events: new Array(501).fill({}) });
    expect(big.ok ? [] : big.issues[0]?.code).toBe('too_many_items');
  });
});

describe('pointerToPath', () => {
  it('renders indexes, identifiers and odd keys', () => {
    expect(pointerToPath('/events/3/properties/af_revenue')).toBe('events[3].properties.af_revenue');
    expect(pointerToPath('/properties/a.b')).toBe('properties["a.b"]');
    expect(pointerToPath('/x~1y', 'events[0]')).toBe('events[0]["x/y"]');
  });

  it('renders an object key that looks like an index as ["0"] when given the value (it read as an array index)', () => {
    const value = { events: [{ 0: { 12: 1 } }], list: [[1]] };
    expect(pointerToPath('/events/0/0/12', '', value)).toBe('events[0]["0"]["12"]');
    expect(pointerToPath('/list/0/0', '', value)).toBe('list[0][0]');
    // Ordinary keys and paths into missing values (a required field) read as before.
    expect(pointerToPath('/events/0/context/library', '', value)).toBe('events[0].context.library');
    expect(pointerToPath('/events/3/properties/a.b', '', value)).toBe('events[3].properties["a.b"]');
    // Where the value ends, a numeric segment reads as an index, as without one.
    expect(pointerToPath('/events/0/x/1', '', value)).toBe('events[0].x[1]');
  });

  it('an event holding a top-level key "0" is reported at events[0]["0"], an array item at [i]', () => {
    const result = validateEvent({ ...validEvent(), 0: 1 }, 'events[0]');
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual(['events[0]["0"]: unexpected property']);
    expect(findUnstorableText({ properties: { 7: 'a\u0000', list: ['ok'] } }, 'events[0]')?.path).toBe('events[0].properties["7"]');
    expect(findUnstorableText({ properties: { list: ['ok', 'a\u0000'] } }, 'events[0]')?.path).toBe('events[0].properties.list[1]');
    expect(tooDeepIssue({ properties: { 0: { 0: {} } } }, 3, 'events[0]')?.path).toBe('events[0].properties["0"]["0"]');
    expect(tooDeepIssue({ properties: [[{}]] }, 3, 'events[0]')?.path).toBe('events[0].properties[0][0]');
  });

  it('says 1 character / 1 item, and 256 characters', () => {
    const event = validateEvent(validEvent({ event: '' }));
    expect(event.ok ? [] : event.issues.map(formatIssue)).toEqual(['event: expected at least 1 character']);
    const none = validateBatchShape({ sent_at: '2026-11-25T13:31:12Z', events: [] });
    expect(none.ok ? [] : none.issues.map(formatIssue)).toEqual(['events: expected at least 1 item']);
    const long = validateEvent(validEvent({ user_id: 'u'.repeat(257) }));
    expect(long.ok ? [] : long.issues.map(formatIssue)).toEqual(['user_id: expected at most 256 characters']);
  });
});
