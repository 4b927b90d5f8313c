/**
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, version 7, 12-bit counter (rand_a, method 1
 * "fixed-length dedicated counter"), variant 10, 62 random bits. Ids from one generator are
 * strictly increasing, even within one millisecond or when the clock steps back.
 */
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
    // 48-bit ms | 0x7 + 12-bit counter | 0b10 + 6 random bits, 8 random bits | 48 random bits
    const t = hex(ms, 12);
    const r = Array.from(rand.subarray(3), (b) => hex(b, 2)).join('');
    return `${t.slice(0, 8)}-${t.slice(8)}-${hex(0x7000 | counter, 4)}-${hex(0x80 | ((rand[2] ?? 0) & 0x3f), 2)}${r.slice(0, 2)}-${r.slice(2)}`;
  };
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
