import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter, recordMaxBytes, type BatchResponse } from '../src';
import { decode, post, testApp } from './helpers';

const LIMIT = 32 * 1024;
/** A User-Agent whose stored JSON is at its 1024-byte cap: the server block at its largest. */
const USER_AGENT = 'é'.repeat(600);

/** `message` with a property padded so that its compact JSON is exactly `size` bytes (or undefined when it is already larger). */
function sizedTo(message: Record<string, unknown>, size: number): Record<string, unknown> | undefined {
  const properties = (message.properties as Record<string, unknown> | undefined) ?? {};
  const empty = Buffer.byteLength(JSON.stringify({ ...message, properties: { ...properties, pad: '' } }));
  return empty > size ? undefined : { ...message, properties: { ...properties, pad: 'x'.repeat(size - empty) } };
}

describe('a Segment message within INGEST_MAX_EVENT_BYTES as sent is never refused for what mapping and the server add', () => {
  it('stores any message of exactly the limit, with what makes mapping grow most (an anonymous_id copied from a long userId of 6-byte escapes, no messageId or timestamp, a category, batch-wide fields of 1 KiB), within the record bound', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxEventBytes: LIMIT, maxBodyBytes: 256 * 1024 });
    const id = fc.string({ unit: fc.constantFrom('a', 'é', '\u0001', '"', '😀'), minLength: 1, maxLength: 300 });
    const message = fc.record({
      type: fc.constantFrom('track', 'page', 'screen', 'identify', 'group'),
      userId: id,
      event: fc.constant('Big'),
      groupId: fc.constant('g'),
      category: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      name: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
      context: fc.constantFrom({}, { library: { name: 'analytics-x', version: 3 } }, { userAgent: 'x'.repeat(2000), page: { url: 'u'.repeat(5000) } }),
    });
    const batchWide = fc.option(fc.string({ minLength: 900, maxLength: 1000 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(message, batchWide, async (m, integrations) => {
        const sized = sizedTo(m, LIMIT);
        if (!sized) return;
        const before = writer.records.get('events')?.length ?? 0;
        const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [sized], ...(integrations ? { integrations: { note: integrations } } : {}) }), { 'user-agent': USER_AGENT }));
        const answer = (await res.json()) as BatchResponse;
        expect(answer.results[0], JSON.stringify(answer.results[0]).slice(0, 500)).toMatchObject({ status: 'accepted' });
        const record = writer.records.get('events')![before]!;
        expect(record.data.byteLength).toBeLessThanOrEqual(recordMaxBytes(LIMIT));
        expect((decode(record.data) as { properties: { pad: string } }).properties.pad).toBe((sized.properties as { pad: string }).pad);
      }),
      { numRuns: 60 },
    );
  });
});
