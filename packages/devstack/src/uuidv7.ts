import { randomBytes } from 'node:crypto';

/**
 * A UUIDv7 for tests, benches and the fuzz harness: `at` (Unix ms, default now) in the first 48 bits,
 * version 7, variant 10, the rest random, as the ingest's format check wants it. The SDK's own
 * generator (`packages/sdk/src/core/uuidv7.ts`) also keeps ids from one millisecond in order; tests
 * that need that use the SDK.
 */
export function uuidV7(at = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(at, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
