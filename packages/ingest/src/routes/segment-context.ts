import { Context, segmentContextName } from '@eventline/schemas';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
// A number beyond ±1.8e308 (1e999 parses to Infinity) is not read: String() would store "Infinity" (as segment-map.ts).
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/**
 * Segment context → ours. Our context is open, but a few of its keys are typed slots (closed objects,
 * bounded strings, integers). Segment's spec bounds none of them, so a value that does not fit its slot
 * (a 5,000-character page URL, a 300-character `utm_content`, a screen of width 392.7 or with no
 * height) would have the whole event rejected while its client sees 200 and drops it. Such a value stays
 * out of the slot and is kept under `left` (segment_extra.context) by its Segment name instead.
 * The checks are the schema's own (`@eventline/schemas` Context), compiled once.
 */
export function mapContext(ctx: Fields): { context: Fields; left: Fields } {
  const { library, page, userAgent, campaign, ...rest } = ctx;
  // The ingest sets the IP and the server block itself; a client's values are dropped.
  delete rest.ip;
  delete rest.server;
  const context: Fields = { ...rest };
  const left: Fields = {};
  const keep = (key: string, value: unknown) => {
    if (value !== undefined) left[key] = value;
  };
  // The name is ours (the mapping's output): a client's own `context.segment_extra` is kept inside it.
  keep('segment_extra', context.segment_extra);
  delete context.segment_extra;

  // Some libraries send a numeric version (`version: 3`): it is still the library's version.
  const lib = splitFields(isObject(library) ? { ...library, name: str(library.name) ?? library.name, version: str(library.version) ?? library.version } : library, 'library');
  context.library = { name: str(lib.fit.name) ?? 'segment-http', version: str(lib.fit.version) ?? 'unknown' };
  keep('library', lib.misfit);
  if (page !== undefined) {
    const split = splitFields(page, 'page');
    if (isObject(page)) context.page = split.fit;
    keep('page', split.misfit);
  }
  if (campaign !== undefined) {
    const split = splitFields(campaign, 'campaign');
    if (isObject(campaign)) context.campaign = split.fit;
    keep('campaign', split.misfit);
  }
  if (userAgent !== undefined) context.user_agent = userAgent;
  // Segment's `userAgent` is our `user_agent`: a misfit is kept under the name the client sent.
  for (const [slot, segmentName] of WHOLE_SLOTS) {
    const value = context[slot];
    if (value === undefined || wholeFits[slot]!.Check(value)) continue;
    delete context[slot];
    keep(segmentName, value);
  }
  return { context, left };
}

const slots = Context.properties as unknown as Record<string, TSchema & { properties?: Record<string, TSchema> }>;

/** Slots checked field by field: one over-long `url` leaves `path` and `title` in place. */
const FIELD_SLOTS = ['library', 'page', 'campaign'] as const;
const fieldFits = new Map<string, Map<string, TypeCheck<TSchema>>>(
  FIELD_SLOTS.map((slot) => [slot, new Map(Object.entries(slots[slot]!.properties ?? {}).map(([field, schema]) => [field, TypeCompiler.Compile(schema)]))]),
);

/** Slots kept or moved whole (a screen needs width and height together), with the Segment name a misfit is kept under. */
const WHOLE_SLOTS = Object.keys(slots)
  .filter((slot) => !(FIELD_SLOTS as readonly string[]).includes(slot))
  .map((slot) => [slot, segmentContextName(slot)] as const);
const wholeFits: Record<string, TypeCheck<TSchema>> = Object.fromEntries(WHOLE_SLOTS.map(([slot]) => [slot, TypeCompiler.Compile(slots[slot]!)]));

/**
 * An object slot's fields that fit it (`fit`), and the rest (`misfit`: unknown keys and values of the
 * wrong type or length), undefined when nothing is left. A value that is not an object is a misfit whole.
 */
function splitFields(value: unknown, slot: (typeof FIELD_SLOTS)[number]): { fit: Fields; misfit: unknown } {
  if (value === undefined) return { fit: {}, misfit: undefined };
  if (!isObject(value)) return { fit: {}, misfit: value };
  const checks = fieldFits.get(slot)!;
  const fit: [string, unknown][] = [];
  const misfit: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    // A Map: a key named `constructor` or `__proto__` must not find an Object.prototype member.
    if (checks.get(key)?.Check(v)) fit.push([key, v]);
    else misfit.push([key, v]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays a key instead of setting the prototype.
  return { fit: Object.fromEntries(fit), misfit: misfit.length > 0 ? Object.fromEntries(misfit) : undefined };
}
