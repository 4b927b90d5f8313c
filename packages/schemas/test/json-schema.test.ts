import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { isUuidV7, jsonSchemas, validateEvent } from '../src';
import { validEvent } from './fixtures';

// A second, independent validator reading only the exported JSON Schema must agree with ours.
function ajvFor(name: string) {
  // unicode: false: lengths in UTF-16 code units, as our validator (and JavaScript) counts them.
  const ajv = new Ajv2020({ allErrors: true, strict: false, unicode: false });
  addFormats(ajv);
  ajv.addFormat('uuid-v7', isUuidV7);
  const schema = jsonSchemas()[name];
  if (!schema) throw new Error(`no schema ${name}`);
  return ajv.compile(schema);
}

describe('jsonSchemas', () => {
  it('exports draft 2020-12 documents with ids', () => {
    const all = jsonSchemas();
    expect(Object.keys(all).sort()).toEqual(['batch.v1.json', 'client-event.v1.json', 'client-event.v2.json', 'stored-event.v1.json', 'stored-event.v2.json']);
    expect(all['client-event.v2.json']).toMatchObject({ $id: 'https://eventline.dev/schemas/v2/client-event.json' });
    for (const doc of Object.values(all)) {
      expect(doc).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    }
  });

  it('agrees with the runtime validator on valid and invalid events', () => {
    const check = ajvFor('client-event.v2.json');
    const withContext = (extra: Record<string, unknown>) => validEvent({ context: { ...validEvent().context, ...extra } });
    const cases: unknown[] = [
      withContext({ first_touch: { source: 'newsletter', click_id: 'Cj0', click_id_type: 'gclid' } }),
      withContext({ first_touch: 'google' }),
      withContext({ first_touch: { source: 'newsletter', landing: '/' } }),
      withContext({ legacy_first_touch: 'google' }),
      validEvent(),
      validEvent({ properties: { af_revenue: 'x' } }),
      validEvent({ seq: -1 }),
      validEvent({ type: 'nope' }),
      { ...validEvent(), extra: 1 },
      validEvent({ client_ts: 'yesterday' }),
      validEvent({ event_id: 'not-a-uuid' }),
      validEvent({ event: undefined }),
      validEvent({ type: 'identify', event: undefined }),
      validEvent({ type: 'identify', event: undefined, user_id: null }),
      validEvent({ type: 'identify', event: undefined, user_id: 'u-1' }),
      { ...validEvent({ type: 'identify', event: undefined, user_id: null }), anonymous_id: undefined },
      validEvent({ type: 'alias', event: undefined, user_id: 'u-1' }),
      validEvent({ type: 'alias', event: undefined, user_id: 'u-1', previous_id: 'anon-1' }),
      validEvent({ type: 'alias', event: undefined, user_id: null, previous_id: 'anon-1' }),
      validEvent({ type: 'group', event: undefined, group_id: 'g-1' }),
      validEvent({ event: '😀'.repeat(200) }),
      validEvent({ event: '😀'.repeat(127) }),
      validEvent({ client_ts: '2026-02-31T00:00:00Z' }),
      validEvent({ client_ts: '2026-02-28T24:00:00Z' }),
      validEvent({ client_ts: '2026-06-30T23:59:60Z' }),
      validEvent({ client_ts: '2026-06-30T23:59:59.1234567890Z' }),
      validEvent({ client_ts: '2026-06-30T23:59:59.123456789+14:00' }),
      validEvent({ client_ts: '0000-01-01T00:00:00Z' }),
      validEvent({ seq: 2 ** 53 }),
      validEvent({ context: { ...validEvent().context, screen: { width: 2 ** 31, height: 1 } } }),
      validEvent({ context: { ...validEvent().context, screen: { width: 2 ** 31 - 1, height: 1 } } }),
    ];
    for (const c of cases) {
      expect(check(c), JSON.stringify(c)).toBe(validateEvent(c).ok);
    }
    // Both sides of each rule are in the list.
    expect(cases.filter((c) => validateEvent(c).ok).length).toBeGreaterThan(5);
    expect(cases.filter((c) => !validateEvent(c).ok).length).toBeGreaterThan(15);
  });

  it('keeps version 1 as it was: context.first_touch open there, schema_version 1 only', () => {
    const v1 = ajvFor('client-event.v1.json');
    const context = { ...validEvent().context, first_touch: 'google' };
    expect(v1(validEvent({ schema_version: 1, context }))).toBe(true);
    expect(v1(validEvent({ schema_version: 2 }))).toBe(false);
    const v2 = ajvFor('client-event.v2.json');
    expect(v2(validEvent({ schema_version: 2 }))).toBe(true);
    expect(v2(validEvent({ schema_version: 1 }))).toBe(false);
    expect(v2(validEvent({ schema_version: 2, context }))).toBe(false);
  });
});
