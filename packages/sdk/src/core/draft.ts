import type { EventType, SCHEMA_VERSION } from '@eventline/schemas';
import { unstorable } from './clip';
import type { EventDraft } from './notices';
import type { EventContext } from './types';

/** Envelope version this SDK writes; `typeof SCHEMA_VERSION` ties it to the schemas at compile time. */
const ENVELOPE_VERSION: typeof SCHEMA_VERSION = 1;
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
  if (typeof data !== 'object' || Array.isArray(data)) return 'properties: not an object';
  try {
    // A JSON copy: later mutations by the caller do not change the event, and values JSON cannot
    // carry (cycles, BigInt) are refused here instead of breaking a whole flush.
    draft[type === 'identify' || type === 'group' ? 'traits' : 'properties'] = jsonCopy(data as Record<string, unknown>);
  } catch (error) {
    return `properties: ${String(error)}`;
  }
  return draft;
}

/** What an id or name must be (for a drop notice's message). */
export const textOf = (max: number) => `1-${max} chars, no U+0000 or lone surrogate`;

/**
 * Not an id the ingest takes (a user, group, previous or device id; an event name with `max` 255):
 * a string of 1 to `max` UTF-16 units without U+0000 or a lone surrogate. A bad user id kept by the
 * client would get every later event of the device refused, so it is refused at the call.
 */
export function badId(value: unknown, max = ID_MAX): boolean {
  return typeof value !== 'string' || value === '' || value.length > max || unstorable(value);
}

/** A deep copy as JSON makes it (throws on what JSON cannot carry). */
export function jsonCopy<T>(value: T): T {
  return (flatCopy(value) ?? JSON.parse(JSON.stringify(value))) as T;
}

/**
 * The common case without the string round trip (track() allocates as little as it can): a plain
 * object of strings, numbers, booleans and null is copied as JSON would copy it. Anything else
 * (nested objects, dates, BigInt, toJSON, __proto__) returns undefined and goes through JSON.
 */
function flatCopy(value: unknown): Record<string, unknown> | undefined {
  if (Object.getPrototypeOf(value ?? 0) !== Object.prototype) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in value as object) {
    const v = (value as Record<string, unknown>)[key];
    const type = typeof v;
    if (key === 'toJSON' || key === '__proto__' || type === 'bigint' || (type === 'object' && v !== null)) return undefined;
    if (type !== 'undefined' && type !== 'function' && type !== 'symbol') out[key] = type === 'number' && !Number.isFinite(v) ? null : v;
  }
  return out;
}
