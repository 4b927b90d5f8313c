/**
 * The first `max` UTF-16 units of `text`, never ending in half a surrogate pair: a lone surrogate is
 * not Unicode text, and the ingest refuses an event holding one (PostgreSQL cannot store it).
 */
export function clip(text: string, max: number): string {
  const out = text.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? out.slice(0, -1) : out;
}

/**
 * U+0000 or a lone UTF-16 surrogate: text the ingest refuses in any string or key of an event
 * (PostgreSQL cannot store it; `findUnstorableText` in @eventline/schemas). With the `u` flag a
 * surrogate pair is one code point, so the class matches only a lone surrogate.
 */
const UNSTORABLE = /[\0\ud800-\udfff]/u;
export const unstorable = (text: string): boolean => UNSTORABLE.test(text);
