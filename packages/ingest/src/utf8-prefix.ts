/**
 * The longest prefix of `text` whose UTF-8 encoding is at most `maxBytes`, never splitting a
 * character; `cut` says whether anything was left out. `text` must be well-formed UTF-16 (JSON.stringify's
 * output is: it escapes lone surrogates).
 */
export function utf8Prefix(text: string, maxBytes: number): { text: string; cut: boolean } {
  // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4): short text needs no encoding.
  if (text.length * 3 <= maxBytes) return { text, cut: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, cut: false };
  let end = maxBytes;
  // Back off to the start of the character the limit falls in (continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), cut: true };
}
