/**
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, version 7, 12-bit counter (rand_a, method 1
 * "fixed-length dedicated counter"), variant 10, 62 random bits. Ids from one generator are
 * strictly increasing, even within one millisecond or when the clock steps back.
 */
/** Two hex digits for every byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

export function createUuidV7(
  randomBytes: (length: number) => Uint8Array,
  now: () => number = Date.now,
): () => string {
  let lastMs = -1;
  let counter = 0;

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
    // 48-bit ms | 0x7 + 12-bit counter | 0b10 + 6 random bits, 8 random bits | 48 random bits
    const bytes = [high >>> 8, high, low >>> 24, low >>> 16, low >>> 8, low, 0x70 | (counter >>> 8), counter, 0x80 | ((rand[2] ?? 0) & 0x3f), ...rand.subarray(3)];
    let id = '';
    for (let k = 0; k < 16; k++) id += (k === 4 || k === 6 || k === 8 || k === 10 ? '-' : '') + HEX[(bytes[k] ?? 0) & 0xff];
    return id;
  };
}
