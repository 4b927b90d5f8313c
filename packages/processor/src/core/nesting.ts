/**
 * The deepest a record's JSON may nest. Our ingest refuses events deeper than 32 levels, but a
 * stream may have other producers: past some thousands of levels `JSON.stringify` (writing the
 * lake's files) overflows the call stack and PostgreSQL's `jsonb` its stack depth limit, and the
 * flush would fail on every retry. 1000 stays far below both.
 */
export const MAX_RECORD_DEPTH = 1000;

/**
 * True when `json` (valid JSON text) nests arrays/objects deeper than `max`. Text of at most
 * 2·max characters cannot (each level takes an opening and a closing character), which skips
 * the scan for every ordinary event; longer text is scanned once, skipping brackets in strings.
 */
export function nestsDeeperThan(json: string, max: number = MAX_RECORD_DEPTH): boolean {
  if (json.length <= 2 * max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
