import { REQUIRED_BY_TYPE } from './validate';
import { Batch, ClientEvent as ClientEventV1, StoredEvent as StoredEventV1 } from './v1/event';
import { ClientEvent, StoredEvent } from './v2/event';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const BASE = 'https://eventline.dev/schemas/';

/** Every envelope version's documents, and the batch wrapper (which no version changed). */
const DOCUMENTS: ReadonlyArray<{ name: string; version: number; schema: object }> = [
  { name: 'client-event', version: 1, schema: ClientEventV1 },
  { name: 'stored-event', version: 1, schema: StoredEventV1 },
  { name: 'client-event', version: 2, schema: ClientEvent },
  { name: 'stored-event', version: 2, schema: StoredEvent },
  { name: 'batch', version: 1, schema: Batch },
];

/**
 * What `date-time` alone lets through and `parseDateTime` refuses: a leap second (:60), more than 9
 * fraction digits, year 0000. (Not expressible here: an instant outside years 0001–9999 UTC once the
 * offset is applied, such as `0001-01-01T00:00:00+00:01`.)
 */
const DATE_TIME_PATTERN = '^(?!0000)\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';

/**
 * The envelope as standard JSON Schema (draft 2020-12), for other languages and tools. TypeBox
 * schemas are JSON Schema already; this adds `$schema` and absolute `$id`s, and writes out the rules
 * our validator applies in code: a `pattern` on every date-time, and the per-type required fields
 * (`if`/`then`). String lengths count UTF-16 code units, as JavaScript does: with Ajv, set
 * `unicode: false` to count the same way (its default counts code points).
 */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const { name, version, schema } of DOCUMENTS) {
    const doc = withDateTimePattern(structuredClone(schema)) as Record<string, unknown>;
    if (schema !== Batch) doc.allOf = typeRules();
    out[`${name}.v${version}.json`] = { ...doc, $schema: DRAFT, $id: `${BASE}v${version}/${name}.json` };
  }
  return out;
}

function typeRules(): object[] {
  return Object.entries(REQUIRED_BY_TYPE)
    .filter(([, fields]) => fields.length > 0)
    .map(([type, fields]) => ({
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: { required: fields, properties: Object.fromEntries(fields.map((field) => [field, { not: { type: 'null' } }])) },
    }));
}

function withDateTimePattern(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withDateTimePattern);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = withDateTimePattern(value);
  if (copy.format === 'date-time') copy.pattern = DATE_TIME_PATTERN;
  return copy;
}
