import type { EventType, SCHEMA_VERSION } from '@eventline/schemas';
import { unstorable } from './clip';
import type { EventDraft } from './notices';
import type { EventContext } from './types';

/** Envelope version this SDK writes; `typeof SCHEMA_VERSION` ties it to the schemas at compile time. */
const ENVELOPE_VERSION: typeof SCHEMA_VERSION = 2;
const NAME_MAX = 255;
const ID_MAX = 256;

const ID_KEY = { track: 'event', page: 'event', screen: 'event', identify: 'user_id', alias: 'user_id', group: 'group_id' } as const;

/**
 * Build an event of any type, or return why it cannot be sent (a string). Arguments are positional,
 * not a keyed object: track() allocates as little as it can (fewer garbage collections).
 * `id` is the event name (track/page/screen), the user id (identify/alias) or the group id (group);
 * `data` the properties (track/page/screen) or traits (identify/group), snapshotted as JSON;
 * `other` the alias previous id.
 */
export function draftEvent(
  type: EventType,
  id: unknown,
  data: unknown,
  other: unknown,
  eventId: string,
  clientTs: string,
  context: EventContext,
): EventDraft | string {
  const max = ID_KEY[type] === 'event' ? NAME_MAX : ID_MAX;
  // Only page and screen names are optional.
  if (id == null ? type !== 'page' && type !== 'screen' : badId(id, max)) return `${ID_KEY[type]}: ${textOf(max)}`;
  if (other != null && badId(other)) return `previous_id: ${textOf(ID_MAX)}`;
  const draft: EventDraft = { schema_version: ENVELOPE_VERSION, event_id: eventId, type, client_ts: clientTs, context };
  if (id != null) (draft as Record<string, unknown>)[ID_KEY[type]] = id;
  if (other != null) draft.previous_id = other as string;
  if (data == null) return draft;
  const field = type === 'identify' || type === 'group' ? 'traits' : 'properties';
  // Kept and given back: a toJSON or getter that calls track() during the walk starts a path of its own.
  const outer = failedAt;
  failedAt = [field];
  try {
    // A JSON copy: later mutations by the caller do not change the event, and what the ingest always
    // refuses (BigInt, cycles, nesting past EVENT_MAX_DEPTH) or JSON would lose (a Map, a Set, a Promise)
    // is refused here instead of breaking a flush, being sent to be rejected or sent as `{}`.
    // Checked after the copy: a Date or a toJSON may make it no object.
    const copy = walk(data, '', 2) as Record<string, unknown>;
    if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) return `${field}: not an object`;
    const typed = field === 'properties' && badAf(copy);
    if (typed) return `properties.${typed}: not as typed`;
    draft[field] = copy;
  } catch (error) {
    return `${failedAt.join('.')}: ${String(error)}`;
  } finally {
    failedAt = outer;
  }
  return draft;
}

/**
 * The AppsFlyer keys the schema types (`AfProperties` in @eventline/schemas), each with its rule:
 * 0 a number, 1 an integer from 0 to 2^53 − 1, 3 three capital letters, else a string of at most that length
 * (a test compares these with the schema's).
 */
export const AF_RULES: Record<string, number> = {
  af_revenue: 0,
  af_price: 0,
  af_quantity: 1,
  af_currency: 3,
  af_content_id: 256,
  af_content_type: 256,
  af_order_id: 256,
  af_search_string: 1024,
  af_registration_method: 256,
};

/**
 * The first typed AppsFlyer key whose value the schema refuses, else undefined. On the JSON copy
 * (NaN and ±Infinity are null there: not a number). Nine lookups, no pass over the properties.
 */
function badAf(p: Record<string, unknown>): string | undefined {
  for (const key in AF_RULES) {
    const v = p[key];
    const rule = AF_RULES[key]!;
    const ok =
      rule < 2
        ? typeof v === 'number' && (!rule || (Number.isSafeInteger(v) && v >= 0))
        : typeof v === 'string' && (rule === 3 ? /^[A-Z]{3}$/.test(v) : v.length <= rule);
    if (v !== undefined && !ok) return key;
  }
  return undefined;
}

/** What an id or name must be (for a drop notice's message). */
export const textOf = (max: number) => `1-${max} chars, no U+0000/lone surrogate`;

/**
 * Not an id the ingest takes (a user, group, previous or device id; an event name with `max` 255):
 * a string of 1 to `max` UTF-16 units without U+0000 or a lone surrogate. A bad user id kept by the
 * client would get every later event of the device refused, so it is refused at the call.
 */
export function badId(value: unknown, max = ID_MAX): boolean {
  return typeof value !== 'string' || value === '' || value.length > max || unstorable(value);
}

/**
 * The deepest an event may nest objects and arrays, the event object being level 1 (`properties` and
 * `traits` are level 2): the ingest's per-event limit, `LIMITS.eventMaxDepth` in @eventline/schemas (a
 * test keeps the two equal; the IIFE imports no value from the schemas). Deeper, the ingest rejects
 * the event; here it is refused at the call (README, "What is refused at the call").
 */
export const EVENT_MAX_DEPTH = 32;

/**
 * The path of the value the walk is in, from the field down (`properties`, `cart`, `items`): when a
 * value is refused the walk stops there, so this names it in the drop notice (draftEvent sets the start;
 * jsonCopy's callers do not read it, and what a throw there leaves is reset by the next draftEvent).
 */
let failedAt: string[] = [];

/** A member's copy, one level down. */
function member(value: unknown, key: string, depth: number): unknown {
  failedAt.push(key);
  const copy = walk(value, key, depth + 1);
  failedAt.pop();
  return copy;
}

/** A deep copy as JSON makes it (throws on what JSON cannot carry, and past EVENT_MAX_DEPTH levels). */
export function jsonCopy<T>(value: T): T {
  return walk(value, '', 1) as T;
}

/**
 * `value` as a JSON round trip makes it (toJSON, boxed primitives, dropped and nulled values, key
 * order), in one walk without the string: track() allocates as little as it can. `depth` is the
 * level an object or array here has in the event; past EVENT_MAX_DEPTH it throws, which also stops
 * a cycle. Strings are not searched for U+0000 or lone surrogates (README: that would cost a pass
 * over every character; the ingest refuses such an event alone, and nothing of it is remembered).
 */
function walk(value: unknown, key: string, depth: number): unknown {
  let v = value as { toJSON?: (key: string) => unknown } | null;
  if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
    const f = v.toJSON;
    // Not the one arrays inherit: Prototype.js 1.6 (legacy sites) gives arrays a toJSON that returns a
    // string, and Dates one that returns local time in quotes; so Date.prototype's, whoever set it, is
    // done here as the native one does it (the time as a number, null unless finite, else toISOString()).
    // Nor a boxed number's or string's: Prototype's makes `new Number(3)` "3" and puts quotes inside a string.
    if (typeof f === 'function' && f !== ([] as typeof v).toJSON && !(v instanceof Number || v instanceof String))
      v = (f === Date.prototype.toJSON ? (isFinite(v as never) ? (v as Date).toISOString() : null) : f.call(v, key)) as typeof v;
    if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf() as typeof v;
  }
  const type = typeof v;
  if (type === 'number') return Number.isFinite(v) ? v : null;
  if (type === 'bigint') throw new TypeError('BigInt');
  // undefined, a function, a symbol: left out (null in an array)
  if (type !== 'object' || v === null) return type === 'string' || type === 'boolean' || v === null ? v : undefined;
  if (depth > EVENT_MAX_DEPTH) throw new Error(`deeper than ${EVENT_MAX_DEPTH} levels`); // or cyclic
  if (Array.isArray(v)) return Array.from(v, (item, i) => member(item, String(i), depth) ?? null);
  const out: Record<string, unknown> = {};
  let k: string | undefined;
  // for…in, not Object.keys (half the cost of a flat track(); inherited enumerable keys, which JSON
  // leaves out, are as rare as a polluted Object.prototype); strings and finite numbers without a call.
  for (k in v) {
    const x = (v as Record<string, unknown>)[k];
    const copy = typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)) ? x : member(x, k, depth);
    // JSON.parse makes "__proto__" an own key; an assignment would set the prototype instead.
    if (copy !== undefined) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
      else out[k] = copy;
    }
  }
  // A Map, a Set (any other iterable) or a Promise (a thenable: a forgotten await) has no JSON of its own:
  // without keys, JSON writes `{}` and the value is lost unseen. The types refuse them, but a generic
  // wrapper or a JS caller passes them at run time: refused, like a BigInt, with the path
  // (`properties.cart.items`). One with keys (`arguments`, a class with fields) is copied as JSON does.
  // After the loop: an object with keys pays nothing.
  if (k === undefined && (Symbol.iterator in v || typeof (v as { then?: unknown }).then === 'function')) throw new TypeError('not JSON');
  return out;
}
