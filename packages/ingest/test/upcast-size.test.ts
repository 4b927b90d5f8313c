import fc from 'fast-check';
import { CURRENT_VERSIONS, LEGACY_FIRST_TOUCH, upcast } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { storedEventEncoder, type EnrichInput } from '../src/enrich';
import { upcastAddedBytes } from '../src/upcast-size';
import { event } from './helpers';

const input: EnrichInput = { appId: 'shop', receivedAt: new Date('2026-11-25T11:00:00.000Z'), batchSentAt: '2026-11-25T11:00:05.000Z', requestId: 'req-1', ip: '203.0.113.0', userAgent: 'test' };
const campaign = { source: 'newsletter', medium: 'email' };

describe('a version 1 event measured from the encoder less what upcasting added', () => {
  it("is the UTF-8 size of the event's compact JSON as sent, for any version 1 event (stated or not, first_touch moved or not)", () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const extra = fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    const firstTouch = fc.option(fc.oneof(fc.constant(campaign), fc.jsonValue({ maxDepth: 2 })), { nil: undefined });
    const ownLegacy = fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined });
    let moved = 0;
    fc.assert(
      fc.property(extra, extra, firstTouch, ownLegacy, fc.boolean(), fc.boolean(), (properties, contextKeys, touch, legacy, stated, ownSentAt) => {
        const context: Record<string, unknown> = { library: { name: 't', version: '1' }, ...contextKeys };
        if (touch !== undefined) context.first_touch = touch;
        if (legacy !== undefined) context[LEGACY_FIRST_TOUCH] = legacy;
        const sent: Record<string, unknown> = { ...event({ properties }), context };
        delete sent.schema_version;
        if (stated) sent.schema_version = 1;
        if (ownSentAt) sent.sent_at = '2026-11-25T11:00:10.000Z';
        const expected = Buffer.byteLength(JSON.stringify(sent));
        const current = upcast(sent, CURRENT_VERSIONS);
        if (!current.ok) throw new Error('a version 1 event upcasts');
        if (current.value.context !== sent.context) moved += 1;
        const added = upcastAddedBytes(sent, current.value);
        const { sentBytes } = storedEventEncoder(input)(current.value as never);
        expect(sentBytes - added).toBe(expected);
      }),
      { numRuns: 500 },
    );
    // The rename was exercised, not only the version.
    expect(moved).toBeGreaterThan(0);
  });
});
