import { compress } from 'snappyjs';

/**
 * Snappy compression of one Parquet page, for the Parquet writer's `compressors` option: snappyjs
 * (MIT, the JavaScript Snappy most packages use). hyparquet-writer's built-in compressor is an
 * adaptation of the same code that appends byte by byte through a growing writer (~20 % of the
 * writer's time on the bench's pages); snappyjs writes into one buffer sized for the worst case.
 * Same algorithm, so the same bytes (tested).
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  return compress(input);
}
