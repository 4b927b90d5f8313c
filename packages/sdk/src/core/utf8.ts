/**
 * Bytes of a string as UTF-8, without TextEncoder (absent in some React Native engines): the npm
 * entries' `utf8Length` (see `withFullStorage`); the browser platform measures with TextEncoder.
 */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i += 1;
    } else if (c > 0x7ff) n += 2;
    else if (c > 0x7f) n += 1;
  }
  return n;
}
