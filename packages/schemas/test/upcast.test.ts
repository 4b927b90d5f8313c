import { describe, expect, it } from 'vitest';
import { upcast, validateStoredEvent, type Upcaster } from '../src';
import { validEvent } from './fixtures';

const storedEvent = (): Record<string, unknown> => ({ ...validEvent(), received_at: '2026-11-25T13:31:12.000Z', app_id: 'shop' });

/** A synthetic v0 (camelCase, `timestamp`) that predates v1: the shape an upcaster exists for. */
const v0ToV1: Upcaster = {
  from: 0,
  up: ({ anonymousId, timestamp, ...rest }) => ({ ...rest, anonymous_id: anonymousId, client_ts: timestamp }),
};

describe('upcast', () => {
  it('passes current events through, treating a missing version as 1', () => {
    const event = { ...storedEvent(), schema_version: 1 };
    expect(upcast(event)).toEqual({ ok: true, value: event, from: 1 });
    const noVersion: Record<string, unknown> = { ...event };
    delete noVersion.schema_version;
    expect(upcast(noVersion)).toMatchObject({ ok: true, from: 1 });
  });

  it('chains upcasters to the current version, and the result validates', () => {
    const { anonymous_id, client_ts, ...rest } = storedEvent() as { anonymous_id: string; client_ts: string };
    const v0 = { ...rest, schema_version: 0, anonymousId: anonymous_id, timestamp: client_ts };
    const out = upcast(v0, { current: 1, upcasters: [v0ToV1] });
    expect(out.ok && out.from).toBe(0);
    expect(out.ok && validateStoredEvent(out.value).ok).toBe(true);
    expect(out.ok && out.value).toMatchObject({ schema_version: 1, anonymous_id, client_ts });
  });

  it('rejects a version newer than the reader, or one with no path, on schema_version', () => {
    expect(upcast({ ...storedEvent(), schema_version: 2 })).toEqual({
      ok: false,
      issues: [{ path: 'schema_version', code: 'too_big', message: 'version 2 is newer than this reader (1)' }],
    });
    expect(upcast({ schema_version: 0 })).toMatchObject({ ok: false, issues: [{ path: 'schema_version', message: 'no upcaster from version 0' }] });
    expect(upcast({ schema_version: 'one' })).toMatchObject({ ok: false, issues: [{ path: 'schema_version', code: 'invalid_type' }] });
    expect(upcast([])).toMatchObject({ ok: false, issues: [{ path: '', code: 'invalid_type' }] });
  });
});
