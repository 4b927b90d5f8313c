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
    const bytes = new Uint8Array(16);
    const high = Math.floor(ms / 0x100000000);
    const low = ms >>> 0;
    bytes[0] = (high >>> 8) & 0xff;
    bytes[1] = high & 0xff;
    bytes[2] = (low >>> 24) & 0xff;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((rand[2] ?? 0) & 0x3f);
    for (let i = 9; i < 16; i++) bytes[i] = rand[i - 6] ?? 0;
    return format(bytes);
  };
}

function format(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
