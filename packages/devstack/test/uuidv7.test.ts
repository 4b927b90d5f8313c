import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../src/uuidv7';

// RFC 9562 layout: 8-4-4-4-12 hex, version nibble 7, variant bits 10.
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is a version-7, variant-10 UUID whose first 48 bits are the time given', () => {
    const at = Date.UTC(2026, 10, 27, 13, 45, 0, 123);
    const id = uuidV7(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });
  it('takes the time at the call by default, and differs from call to call', () => {
    const before = Date.now();
    const ids = Array.from({ length: 200 }, () => uuidV7());
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(V7);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    expect(new Set(ids).size).toBe(200);
  });
});
