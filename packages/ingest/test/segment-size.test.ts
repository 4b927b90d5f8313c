import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter, RECORD_HEADROOM_BYTES, type BatchResponse } from '../src';
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
        const stored = decode(record.data) as { properties: { pad: string }; context: { segment_extra?: Record<string, unknown> } };
        expect(stored.properties.pad).toBe((sized.properties as { pad: string }).pad);
        // Nothing dropped to make it fit: the headroom holds all that mapping adds (fails with 1,000 bytes).
        expect(stored.context.segment_extra?.dropped).toBeUndefined();
        if (integrations && Buffer.byteLength(JSON.stringify({ integrations: { note: integrations } })) <= 1024) expect(stored.context.segment_extra?.batch).toEqual({ integrations: { note: integrations } });
        // The record is the stored event's compact JSON, byte for byte (the size the ingest summed from parts).
        expect(record.data.byteLength).toBe(Buffer.byteLength(JSON.stringify(stored)));
        expect(record.data.byteLength - LIMIT).toBeLessThanOrEqual(RECORD_HEADROOM_BYTES);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });
});

describe('what the limit is measured on, for Segment messages', () => {
  const track = { type: 'track', event: 'Sized', anonymousId: 'anon-size', messageId: 'm-size', timestamp: '2026-11-25T09:59:59.000Z', properties: {}, context: { library: { name: 'analytics-node', version: '1.0.0' } } };
  const answerOf = async (app: ReturnType<typeof testApp>, path: string, body: unknown) => (await (await app.request(path, post(JSON.stringify(body)))).json()) as BatchResponse;

  it("counts the batch's shared context merged into each message: a message under the limit alone is over it with the batch's context", async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxEventBytes: LIMIT, maxBodyBytes: 256 * 1024 });
    const shared = { locale: 'en-US', timezone: 'Europe/Berlin' };
    const message = sizedTo(track, LIMIT - 10)!;
    const merged = Buffer.byteLength(JSON.stringify({ ...message, context: { ...shared, ...(message.context as object) } }));
    expect(merged).toBeGreaterThan(LIMIT);
    const answer = await answerOf(app, '/v1/batch', { batch: [message], context: shared });
    expect(answer).toMatchObject({ accepted: 0, rejected: 1, results: [{ code: 'event_too_large', issues: [{ message: `event is ${merged} bytes as sent (compact JSON), over the ${LIMIT}-byte limit` }] }] });
    // Without the shared context the same message is stored.
    expect(await answerOf(app, '/v1/batch', { batch: [message] })).toMatchObject({ accepted: 1 });
  });

  it("counts a context that is no object as sent when the batch has a shared context: over the limit it is refused, not stored without it", async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxEventBytes: LIMIT, maxBodyBytes: 256 * 1024 });
    const shared = { locale: 'en-US' };
    const message = { ...track, context: 'c'.repeat(LIMIT) };
    const sent = Buffer.byteLength(JSON.stringify({ ...message, context: shared })) + Buffer.byteLength(JSON.stringify(message.context));
    const answer = await answerOf(app, '/v1/batch', { batch: [message], context: shared });
    expect(answer).toMatchObject({ accepted: 0, rejected: 1, results: [{ code: 'event_too_large', issues: [{ message: `event is ${sent} bytes as sent (compact JSON), over the ${LIMIT}-byte limit` }] }] });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
    // A small one is stored, kept as sent.
    expect(await answerOf(app, '/v1/batch', { batch: [{ ...track, context: 'web' }], context: shared })).toMatchObject({ accepted: 1 });
    const stored = decode(writer.records.get('events')![0]!.data) as { context: { segment_extra?: { context?: unknown } } };
    expect(stored.context.segment_extra?.context).toBe('web');
  });

  it('does not count a writeKey, which is never stored: in a /v1/<type> body or inside a batch message', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { maxEventBytes: LIMIT, maxBodyBytes: 256 * 1024 });
    const atLimit = sizedTo(track, LIMIT)!;
    const withKey = { ...atLimit, writeKey: 'k'.repeat(40) };
    expect(await answerOf(app, '/v1/track', withKey)).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await answerOf(app, '/v1/batch', { batch: [withKey] })).toMatchObject({ accepted: 1, rejected: 0 });
    for (const r of writer.records.get('events')!) expect(JSON.stringify(decode(r.data))).not.toContain('k'.repeat(40));
    // One byte more (without the key) is still refused.
    const over = { ...sizedTo(track, LIMIT + 1)!, writeKey: 'k'.repeat(40) };
    expect(await answerOf(app, '/v1/track', over)).toMatchObject({ rejected: 1, results: [{ code: 'event_too_large' }] });
    expect(await answerOf(app, '/v1/batch', { batch: [over] })).toMatchObject({ rejected: 1, results: [{ code: 'event_too_large' }] });
  });
});
