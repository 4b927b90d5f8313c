import { describe, expect, it } from 'vitest';
import { Utf8Slab } from '../src/delivery/utf8-slab';

describe('UTF-8 bytes of strings in shared slabs', () => {
  it("gives TextEncoder's bytes, and each view keeps them while more strings are encoded", () => {
    const texts = [
      '',
      'a',
      'event_id 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      'Grüße aus Köln',
      '東京 🎉',
      'lone \ud800 surrogate',
      'x'.repeat(20_000), // more than a quarter slab: its own buffer
      'é'.repeat(40_000),
      ...Array.from({ length: 5_000 }, (_, i) => `value-${i}-${'abc'.repeat(i % 40)}`), // several slabs
      'ascii then ü at the end',
    ];
    const slab = new Utf8Slab();
    const views = texts.map((text) => slab.encode(text));
    const encoder = new TextEncoder();
    texts.forEach((text, i) => expect(Buffer.from(views[i] as Uint8Array).equals(Buffer.from(encoder.encode(text)))).toBe(true));
  });
});
