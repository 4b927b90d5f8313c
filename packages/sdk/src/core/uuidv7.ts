/**
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, version 7, 12-bit counter (rand_a, method 1
 * "fixed-length dedicated counter"), variant 10, 62 random bits. Ids from one generator are
 * strictly increasing, even within one millisecond or when the clock steps back.
 */
/** Two hex digits for every byte value. */
const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

export function createUuidV7(
  randomBytes: (length: number) => Uint8Array,
  now: () => number = Date.now,
): () => string {
  let lastMs = -1;
  /** xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx as 16 two-digit parts and 4 dashes. */
  const parts = ['', '', '', '', '-', '', '', '-', '', '', '-', '', '', '-', '', '', '', '', '', ''];
  let counter = 0;
  const hex = (k: number, byte: number) => (parts[k] = HEX[byte & 0xff] ?? '');

  return function uuidv7(): string {
    const rand = randomBytes(10);
    let ms = now();
    if (ms > lastMs) {
      // Seed the counter randomly with its top bit clear, so it has room to grow.
      counter = (((rand[0] ?? 0) & 0x07) << 8) | (rand[1] ?? 0);
      lastMs = ms;
    } else {
      counter += 1;
      if (counter > 0xfff) {
        counter = 0;
        lastMs += 1;
      }
      ms = lastMs;
    }
    const high = Math.floor(ms / 0x100000000);
    const low = ms >>> 0;
    // 48-bit ms | 0x7 + 12-bit counter | 0b10 + 6 random bits, 8 random bits | 48 random bits.
    // Written into a reused array and joined once: no per-id arrays, one flat string.
    hex(0, high >>> 8);
    hex(1, high);
    hex(2, low >>> 24);
    hex(3, low >>> 16);
    hex(5, low >>> 8);
    hex(6, low);
    hex(8, 0x70 | (counter >>> 8));
    hex(9, counter);
    hex(11, 0x80 | ((rand[2] ?? 0) & 0x3f));
    hex(12, rand[3] ?? 0);
    for (let k = 4; k < 10; k++) hex(k + 10, rand[k] ?? 0);
    return parts.join('');
  };
}
