const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the UTF-8 bytes of `text`, without btoa, Buffer or TextEncoder (not in every runtime). */
export function base64Utf8(text: string): string {
  const bin = encodeURIComponent(text).replace(/%(..)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  let out = '';
  for (let i = 0; i < bin.length; i += 3) {
    // charCodeAt past the end is NaN, and NaN << n is 0: the missing bytes count as zeros.
    const n = (bin.charCodeAt(i) << 16) | (bin.charCodeAt(i + 1) << 8) | bin.charCodeAt(i + 2);
    for (let j = 0; j < 4; j++) out += i + j <= bin.length ? ALPHABET[(n >>> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}
