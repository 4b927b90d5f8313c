/**
 * The first `max` UTF-16 code units of `text` (JavaScript's `length`), never ending in half a surrogate
 * pair: one fewer when a pair (an emoji, say) straddles the limit. A lone surrogate is not Unicode
 * text: JSON writes it as a `\ud83d` escape that PostgreSQL and DuckDB refuse (a bad-row file DuckDB
 * refused whole). The SDK keeps its own copy (`clip`): it takes no runtime code from this package.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
