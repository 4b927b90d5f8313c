import { Batch, ClientEvent, StoredEvent } from './v1/event';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const BASE = 'https://eventline.dev/schemas/v1/';

/**
 * The envelope as standard JSON Schema (draft 2020-12), for other languages and tools.
 * TypeBox schemas are JSON Schema already; this only adds `$schema` and absolute `$id`s.
 */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, schema] of Object.entries({ 'client-event': ClientEvent, 'stored-event': StoredEvent, batch: Batch })) {
    out[`${name}.v1.json`] = { ...structuredClone(schema), $schema: DRAFT, $id: `${BASE}${name}.json` };
  }
  return out;
}
