import { randomFillSync } from 'node:crypto';
import { isUuidV7 } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { createUuidV7 } from '../src/core/uuidv7';

const random = (n: number) => randomFillSync(new Uint8Array(n));
const timestampOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuidv7', () => {
  it('has the RFC 9562 layout: 48-bit ms timestamp, version 7, variant 10', () => {
    const now = Date.UTC(2026, 10, 25, 13, 31, 11, 123);
    const id = createUuidV7(random, () => now)();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(timestampOf(id)).toBe(now);
    expect(isUuidV7(id)).toBe(true);
  });

  it('encodes timestamps beyond 32 bits exactly', () => {
    const now = 0xfedc_ba98_7654; // uses all 48 bits
    expect(timestampOf(createUuidV7(random, () => now)())).toBe(now);
  });

  it('puts the random bytes where the RFC says (not all zeros, not constant)', () => {
    const zeros = createUuidV7((n) => new Uint8Array(n), () => 1)();
    expect(zeros).toBe('00000000-0001-7000-8000-000000000000');
    const ones = createUuidV7((n) => new Uint8Array(n).fill(0xff), () => 1)();
    // counter seed keeps its top bit clear (0x7ff), variant bits stay 10
    expect(ones).toBe('00000000-0001-77ff-bfff-ffffffffffff');
  });

  it('is strictly increasing within one millisecond, past counter overflow', () => {
    const next = createUuidV7((n) => new Uint8Array(n).fill(0xff), () => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isUuidV7)).toBe(true);
  });

  it('stays increasing when the clock steps back', () => {
    let now = 2_000_000;
    const next = createUuidV7(random, () => now);
    const a = next();
    now -= 1000;
    const b = next();
    expect(b > a).toBe(true);
    expect(timestampOf(b)).toBe(2_000_000);
  });

  it('is time-ordered across milliseconds', () => {
    let now = 1_000;
    const next = createUuidV7(random, () => now);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(next());
      now += 1;
    }
    expect([...ids].sort()).toEqual(ids);
  });
});
