import { LEGACY_FIRST_TOUCH, SCHEMA_VERSION } from '@eventline/schemas';

/** `"schema_version":2,`: what upcasting adds to an event that stated no version. */
export const ADDED_VERSION_BYTES = `"schema_version":${SCHEMA_VERSION},`.length;
/** `legacy_` in front of a moved `first_touch` key. */
export const RENAME_BYTES = LEGACY_FIRST_TOUCH.length - 'first_touch'.length;

/**
 * How many bytes of compact JSON upcasting a version 1 event to the current one added (`upcast` shares
 * every value, so the two differ only in these): a `schema_version` member when the event stated none
 * (a stated `1` becomes `2`, same length), and a non-campaign `first_touch` renamed `legacy_first_touch`
 * (a new context object: the one sent is left as it was). The size as sent is then the encoder's measure
 * of the upcast event minus this, without a stringify of its own (upcast-size.test.ts holds it to
 * `JSON.stringify` of the event as sent, for any event).
 */
export function upcastAddedBytes(sent: Record<string, unknown>, upcast: Record<string, unknown>): number {
  const version = sent.schema_version === undefined ? ADDED_VERSION_BYTES : 0;
  const renamed = upcast.context !== sent.context && typeof upcast.context === 'object' && upcast.context !== null && Object.hasOwn(upcast.context, LEGACY_FIRST_TOUCH) ? RENAME_BYTES : 0;
  return version + renamed;
}
