/**
 * The first `max` UTF-16 units of `text`, never ending in half a surrogate pair: a lone surrogate is
 * not Unicode text, and the ingest refuses an event holding one (PostgreSQL cannot store it).
 */
export function clip(text: string, max: number): string {
  const out = text.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? out.slice(0, -1) : out;
}
