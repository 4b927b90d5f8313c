import { describe, expect, it } from 'vitest';
import { addRecords, emptyBuffer, isDue, sizeLimitedThrough } from '../src/consumer/shard-buffer';
import { record } from './fixtures/events';

describe('shard buffer size hint', () => {
  it('caps a flush at maxBytes, but always takes at least one record', () => {
    const buffer = emptyBuffer();
    const records = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'd'.repeat(200)].map((text) => record(text));
    addRecords(buffer, records, 0);
    expect(isDue(buffer, { maxBytes: 100, maxAgeMs: 60_000 }, 1)).toBe(true);
    expect(sizeLimitedThrough(buffer, 100)).toBe(records[1]?.sequenceNumber);
    expect(sizeLimitedThrough(buffer, 1_000)).toBe(records[3]?.sequenceNumber);
    expect(sizeLimitedThrough(buffer, 10)).toBe(records[0]?.sequenceNumber);
    expect(sizeLimitedThrough(emptyBuffer(), 10)).toBeUndefined();
  });
});
