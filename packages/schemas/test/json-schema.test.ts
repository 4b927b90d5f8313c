import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { isUuidV7, jsonSchemas, validateEvent } from '../src';
import { validEvent } from './fixtures';

// A second, independent validator reading only the exported JSON Schema must agree with ours.
function ajvFor(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('uuid-v7', isUuidV7);
  const schema = jsonSchemas()[name];
  if (!schema) throw new Error(`no schema ${name}`);
  return ajv.compile(schema);
}

describe('jsonSchemas', () => {
  it('exports draft 2020-12 documents with ids', () => {
    const all = jsonSchemas();
    expect(Object.keys(all).sort()).toEqual(['batch.v1.json', 'client-event.v1.json', 'stored-event.v1.json']);
    for (const doc of Object.values(all)) {
      expect(doc).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    }
  });

  it('agrees with the runtime validator on valid and invalid events', () => {
    const check = ajvFor('client-event.v1.json');
    const cases: unknown[] = [
      validEvent(),
      validEvent({ properties: { af_revenue: 'x' } }),
      validEvent({ seq: -1 }),
      validEvent({ type: 'nope' }),
      { ...validEvent(), extra: 1 },
      validEvent({ client_ts: 'yesterday' }),
      validEvent({ event_id: 'not-a-uuid' }),
    ];
    for (const c of cases) {
      expect(check(c), JSON.stringify(c)).toBe(validateEvent(c).ok);
    }
  });
});
