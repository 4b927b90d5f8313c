/**
 * The gzip amplification guard. JSON.parse's cost grows with the values it builds, not with the bytes: a few
 * KB of gzip inflating to millions of `{},` cost seconds of the event loop (8 KB → 2.8M empty objects: 3.3 s).
 * Before parsing, the `{`, `[` and `,` (each opens or adds at most one value; counted inside strings too, which
 * only counts more) in the inflated bytes past the plain-body limit are held to the larger of a floor and a
 * number per compressed byte. The bytes up to that limit are not counted: parsing them costs no more than a plain
 * body the ingest takes anyway, so a body taken plain is never refused gzipped (a batch of repeated samples
 * compresses 180× and more, and clients drop a batch answered 413).
 * Measured (README, "Gzip bodies"): SDK and Segment batches have 2–5 per compressed byte, 500 identical events
 * of 300 properties each 18; the 8 KB bomb 681.
 */
export const DENSITY_FLOOR_TOKENS = 131_072;
export const DENSITY_TOKENS_PER_COMPRESSED_BYTE = 32;

const STRUCTURAL_BYTES = [0x7b, 0x5b, 0x2c] as const; // { [ ,

/** How many structural tokens the bytes inflated from `compressedBytes` of gzip may hold past the plain-body limit. */
export function maxStructuralTokens(compressedBytes: number): number {
  return Math.max(DENSITY_FLOOR_TOKENS, DENSITY_TOKENS_PER_COMPRESSED_BYTE * compressedBytes);
}

/** The count of `{`, `[` and `,` in `bytes`, or `limit + 1` as soon as it passes `limit` (native searches: ~10 ms for 8 MiB). */
export function countStructuralTokens(bytes: Uint8Array, limit: number): number {
  let count = 0;
  for (const byte of STRUCTURAL_BYTES) {
    for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) {
      count += 1;
      if (count > limit) return count;
    }
  }
  return count;
}
