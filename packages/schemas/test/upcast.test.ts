import { describe, expect, it } from 'vitest';
import { CURRENT_VERSIONS, LEGACY_FIRST_TOUCH, SCHEMA_VERSION, StoredEventV1, upcast, UPCASTERS, validateStoredEvent, type Upcaster } from '../src';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { validEvent } from './fixtures';

const storedEvent = (context: Record<string, unknown> = {}): Record<string, unknown> => {
  const event = validEvent();
  return { ...event, context: { ...event.context, ...context }, received_at: '2026-11-25T13:31:12.000Z', app_id: 'shop' };
};
const isStoredV1 = TypeCompiler.Compile(StoredEventV1);
const campaign = { source: 'newsletter', medium: 'email', click_id: 'Cj0KCQ', click_id_type: 'gclid' };

/** A synthetic v0 (camelCase, `timestamp`) that predates v1: a shape no field-by-field copy would read. */
const v0ToV1: Upcaster = {
  from: 0,
  up: ({ anonymousId, timestamp, ...rest }) => ({ ...rest, anonymous_id: anonymousId, client_ts: timestamp }),
};

describe('upcast', () => {
  it('passes current events through', () => {
    const event = { ...storedEvent({ first_touch: campaign }), schema_version: SCHEMA_VERSION };
    expect(SCHEMA_VERSION).toBe(2);
    expect(upcast(event)).toEqual({ ok: true, value: event, from: 2 });
  });

  it('brings version 1 (stated, or no version at all) to 2, keeping a campaign-shaped first_touch where it is', () => {
    for (const version of [1, undefined]) {
      const v1 = { ...storedEvent({ first_touch: campaign }), schema_version: version };
      expect(isStoredV1.Check(v1)).toBe(true);
      const out = upcast(v1);
      expect(out).toEqual({ ok: true, value: { ...v1, schema_version: 2 }, from: 1 });
      expect(out.ok && validateStoredEvent(out.value).ok).toBe(true);
    }
    const none = { ...storedEvent(), schema_version: 1 };
    expect(upcast(none)).toEqual({ ok: true, value: { ...none, schema_version: 2 }, from: 1 });
  });

  it('moves a version 1 first_touch that is not a campaign to context.legacy_first_touch, unchanged, so the event stays valid', () => {
    const misfits: unknown[] = ['google', null, 7, [campaign], { ...campaign, landing: '/pricing' }, { source: 'x'.repeat(257) }, { source: 1 }];
    for (const firstTouch of misfits) {
      const v1 = { ...storedEvent({ first_touch: firstTouch, locale: 'de-DE' }), schema_version: 1 };
      expect(isStoredV1.Check(v1), JSON.stringify(firstTouch)).toBe(true);
      expect(validateStoredEvent({ ...v1, schema_version: 2 }).ok).toBe(false);
      const out = upcast(v1);
      if (!out.ok) throw new Error('upcast failed');
      expect(out.value.context).toEqual({ ...storedEvent().context as object, locale: 'de-DE', [LEGACY_FIRST_TOUCH]: firstTouch });
      expect(validateStoredEvent(out.value)).toMatchObject({ ok: true });
    }
    // The input is not changed: the processor keeps the record as it came for its bad row if a later step fails.
    const unchanged: Record<string, unknown> = { ...storedEvent({ first_touch: 'google' }), schema_version: 1 };
    upcast(unchanged);
    expect(unchanged.context).toMatchObject({ first_touch: 'google' });
    expect(unchanged.schema_version).toBe(1);
  });

  it('never overwrites a legacy_first_touch already there: the v2 check then rejects the event on its path', () => {
    const v1 = { ...storedEvent({ first_touch: 'google', [LEGACY_FIRST_TOUCH]: 'bing' }), schema_version: 1 };
    const out = upcast(v1);
    if (!out.ok) throw new Error('upcast failed');
    expect(out.value.context).toMatchObject({ first_touch: 'google', [LEGACY_FIRST_TOUCH]: 'bing' });
    expect(validateStoredEvent(out.value)).toMatchObject({ ok: false, issues: [{ path: 'context.first_touch' }] });
  });

  it('chains upcasters to the current version, and the result validates', () => {
    const { anonymous_id, client_ts, ...rest } = storedEvent() as { anonymous_id: string; client_ts: string };
    const v0 = { ...rest, schema_version: 0, anonymousId: anonymous_id, timestamp: client_ts };
    const out = upcast(v0, { current: SCHEMA_VERSION, upcasters: [v0ToV1, ...UPCASTERS] });
    expect(out.ok && out.from).toBe(0);
    expect(out.ok && validateStoredEvent(out.value).ok).toBe(true);
    expect(out.ok && out.value).toMatchObject({ schema_version: 2, anonymous_id, client_ts });
    expect(CURRENT_VERSIONS).toEqual({ current: 2, upcasters: UPCASTERS });
  });

  it('rejects a version newer than the reader, or one with no path, on schema_version', () => {
    expect(upcast({ ...storedEvent(), schema_version: 3 })).toEqual({
      ok: false,
      issues: [{ path: 'schema_version', code: 'too_big', message: 'version 3 is newer than this reader (2)' }],
    });
    expect(upcast({ schema_version: 0 })).toMatchObject({ ok: false, issues: [{ path: 'schema_version', message: 'no upcaster from version 0' }] });
    expect(upcast({ schema_version: 'one' })).toMatchObject({ ok: false, issues: [{ path: 'schema_version', code: 'invalid_type' }] });
    expect(upcast({ ...storedEvent(), schema_version: null })).toMatchObject({ ok: false, issues: [{ path: 'schema_version', code: 'invalid_type' }] });
    expect(upcast([])).toMatchObject({ ok: false, issues: [{ path: '', code: 'invalid_type' }] });
  });
});
