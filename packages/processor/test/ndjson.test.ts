import { describe, expect, it } from 'vitest';
import { decodeNdjsonGzip, encodeNdjsonGzip } from '../src';
import { gzipNdjson } from '../src/delivery/ndjson';

describe('NDJSON.gz compressed off the main thread', () => {
  it('writes the same bytes as the one-shot encoder, also across many chunks', async () => {
    // ~1.2 MB of lines: several 256 KiB chunks handed to zlib one after the other.
    const values = Array.from({ length: 6_000 }, (_, i) => ({ i, text: `line ${i} `.repeat(20), nested: { even: i % 2 === 0 } }));
    const streamed = await gzipNdjson(values, 6);
    expect(Buffer.from(streamed).equals(Buffer.from(encodeNdjsonGzip(values, 6)))).toBe(true);
    expect(decodeNdjsonGzip(streamed)).toEqual(values);
    expect(Buffer.from(await gzipNdjson(values, 1)).equals(Buffer.from(encodeNdjsonGzip(values, 1)))).toBe(true);
  });

  it('writes an empty file for no values, like the one-shot encoder', async () => {
    expect(Buffer.from(await gzipNdjson([])).equals(Buffer.from(encodeNdjsonGzip([])))).toBe(true);
  });
});
