import { describe, expect, it } from 'vitest';
import { decodeNdjsonGzip, deliverRecords, encodeNdjsonGzip, processRecords, type LakeRow } from '../src';
import { gzipNdjson } from '../src/delivery/ndjson';
import { record, storedEvent } from './fixtures/events';

describe('NDJSON.gz compressed off the main thread', () => {
  it('writes the same bytes as the one-shot encoder, also across many chunks', async () => {
    // ~1.2 MB of lines: many chunks handed to zlib one after the other, of sizes that depend on timing.
    const values = Array.from({ length: 6_000 }, (_, i) => ({ i, text: `line ${i} `.repeat(20), nested: { even: i % 2 === 0 } }));
    const streamed = await gzipNdjson(values, 6);
    expect(Buffer.from(streamed).equals(Buffer.from(encodeNdjsonGzip(values, 6)))).toBe(true);
    expect(decodeNdjsonGzip(streamed)).toEqual(values);
    expect(Buffer.from(await gzipNdjson(values, 1)).equals(Buffer.from(encodeNdjsonGzip(values, 1)))).toBe(true);
  });

  it('writes the same bytes for non-ASCII text and lines longer than a chunk', async () => {
    const values = [
      { text: 'Grüße aus Köln, 東京, emoji 🎉, lone \ud800 surrogate, quote " and newline \n' },
      { long: 'é'.repeat(700_000) }, // 1.4 MB of UTF-8 in one line: more than any chunk
      ...Array.from({ length: 2_000 }, (_, i) => ({ i, text: `ligne ${i} ünïcödé `.repeat(10) })),
      { long: 'x'.repeat(100_000) },
    ];
    const streamed = await gzipNdjson(values, 6);
    expect(Buffer.from(streamed).equals(Buffer.from(encodeNdjsonGzip(values, 6)))).toBe(true);
    expect(decodeNdjsonGzip(streamed)).toEqual(values);
  });

  it('writes an empty file for no values, like the one-shot encoder', async () => {
    expect(Buffer.from(await gzipNdjson([])).equals(Buffer.from(encodeNdjsonGzip([])))).toBe(true);
  });
});

describe('delivery in slices', () => {
  it('dedupes and names files across slices exactly as one pass would', async () => {
    const events = Array.from({ length: 300 }, (_, i) => storedEvent({ app_id: i % 2 === 0 ? 'even' : 'odd', seq: i }));
    const records = [...events.map((e) => record(e)), record(events[10])]; // a repeat, 290 records after the first
    const written = new Map<string, Uint8Array>();
    const result = await deliverRecords('shardId-000000000000', records, { write: (key, bytes) => Promise.resolve(void written.set(key, bytes)) });
    expect(result).toMatchObject({ rowsDelivered: 300, duplicates: 1, badRows: 0, filesWritten: 2 });
    const seq = (i: number): string => records[i]?.sequenceNumber ?? '';
    expect([...written.keys()].map((key) => key.split('/').at(-1)).sort()).toEqual([
      `shardId-000000000000-${seq(0)}-${seq(298)}.ndjson.gz`,
      `shardId-000000000000-${seq(1)}-${seq(299)}.ndjson.gz`,
    ]);
    const rows = [...written.values()].flatMap((bytes) => decodeNdjsonGzip(bytes) as LakeRow[]);
    expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(events.map((e) => e.seq));
    expect(rows).toEqual(expect.arrayContaining(processRecords(records).rows));
  });
});
