import { randomBytes } from 'node:crypto';
import { snappyUncompress } from 'hyparquet';
import { snappyCompress as builtIn } from 'hyparquet-writer/src/snappy.js';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../src/delivery/snappy';

/** Text with many repeats and some noise, as Parquet pages of event columns are. */
function pageLike(length: number): Uint8Array {
  const words = ['af_purchase', 'af_content_view', 'https://shop.example/p/', 'EUR', 'Mozilla/5.0 (', '2026-11-25T', '"'];
  const out = Buffer.alloc(length);
  for (let i = 0, w = 0; i < length; w += 1) {
    const word = `${words[(w * 7 + (w >> 3)) % words.length] ?? ''}${w % 5 === 0 ? String(w) : ''}`;
    i += out.write(word, i);
  }
  return out;
}

describe('Snappy compression of Parquet pages', () => {
  // Sizes around the hash table's and the literal headers' limits, and past 64 KiB offsets.
  const sizes = [0, 1, 4, 14, 15, 16, 17, 60, 61, 62, 255, 256, 257, 4_096, 16_383, 16_384, 65_535, 65_536, 65_537, 70_000, 300_000];
  const inputs = sizes.flatMap((n) => [randomBytes(n), new Uint8Array(n).fill(7), pageLike(n), Buffer.concat([randomBytes(n >> 1), pageLike(n - (n >> 1))])]);

  it("compresses about as well as hyparquet-writer's built-in compressor (snappyjs works in 64 KiB blocks, as Snappy's reference does)", () => {
    for (const input of inputs) {
      const ours = snappyCompress(input).length;
      const theirs = builtIn(input).length;
      expect(ours, `${String(input.length)} bytes in`).toBeLessThanOrEqual(theirs * 1.02 + 16);
    }
  });

  it('decompresses to its input with hyparquet, the reader this project tests its files with', () => {
    for (const input of inputs) {
      const back = new Uint8Array(input.length);
      snappyUncompress(snappyCompress(input), back);
      expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
    }
  });
});
