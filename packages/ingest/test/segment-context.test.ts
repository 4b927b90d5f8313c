import { describe, expect, it } from 'vitest';
import { createMemoryWriter, type BatchResponse } from '../src';
import { decode, post, testApp } from './helpers';

const sentAt = '2026-11-25T10:00:00.000Z';

/** One Segment message through /v1/batch: the answer and, when accepted, the stored event. */
async function send(message: Record<string, unknown>) {
  const writer = createMemoryWriter();
  const res = await testApp(writer).request('/v1/batch', post(JSON.stringify({ batch: [message], sentAt })));
  const answer = (await res.json()) as BatchResponse;
  const stored = writer.records.get('events')?.map((r) => decode(r.data))[0];
  return { status: res.status, answer, stored, context: stored?.context as Record<string, unknown> | undefined };
}

describe('Segment values our typed context slots cannot hold are kept, not a reason to reject', () => {
  it('a page URL, title or campaign value longer than its slot stays in segment_extra.context; the rest of the slot is used', async () => {
    const url = `https://shop.example/?gclid=${'g'.repeat(5000)}`;
    const content = 'c'.repeat(300);
    const { answer, context } = await send({
      type: 'page', anonymousId: 'a', name: 'Home',
      context: { page: { url, path: '/', title: 't'.repeat(1100), search: '?x' }, campaign: { source: 'news', content, utm_id: '7' }, userAgent: 'u'.repeat(1100) },
    });
    expect(answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(context).toMatchObject({ page: { path: '/' }, campaign: { source: 'news' } });
    expect(context!.page).toEqual({ path: '/' });
    expect(context!.campaign).toEqual({ source: 'news' });
    expect(context!.user_agent).toBeUndefined();
    expect((context!.segment_extra as { context: unknown }).context).toEqual({
      page: { url, title: 't'.repeat(1100), search: '?x' },
      campaign: { content, utm_id: '7' },
      userAgent: 'u'.repeat(1100),
    });
  });

  it.each([
    ['analytics-go, a screen with only its width set (its other fields omitempty)', { width: 1920 }],
    ['a fractional width (React Native, Flutter: logical pixels)', { width: 392.7, height: 803.6, density: 2.75 }],
    ['a key of its own (Flutter custom fields)', { width: 390, height: 844, orientation: 'portrait' }],
  ])('a screen that does not fit ours is kept whole in segment_extra.context.screen: %s', async (_, screen) => {
    const { answer, context } = await send({ type: 'screen', anonymousId: 'a', name: 'Cart', context: { screen, locale: 7, timezone: 'Europe/Berlin' } });
    expect(answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(context!.screen).toBeUndefined();
    expect(context!.timezone).toBe('Europe/Berlin');
    expect((context!.segment_extra as { context: unknown }).context).toEqual({ screen, locale: 7 });
  });

  it('a library name or version over 64 characters is kept in segment_extra; the stored library falls back', async () => {
    const { answer, context } = await send({ type: 'track', anonymousId: 'a', event: 'E', context: { library: { name: 'n'.repeat(70), version: '1.0' } } });
    expect(answer.accepted).toBe(1);
    expect(context!.library).toEqual({ name: 'segment-http', version: '1.0' });
    expect((context!.segment_extra as { context: unknown }).context).toEqual({ library: { name: 'n'.repeat(70) } });
  });

  it('a screen that fits stays where it is, with no segment_extra', async () => {
    const { context } = await send({ type: 'screen', anonymousId: 'a', name: 'Cart', messageId: '0193b6a1-0000-7000-8000-000000000009', context: { screen: { width: 390, height: 844, density: 3 } } });
    expect(context).toEqual({ library: { name: 'segment-http', version: 'unknown' }, screen: { width: 390, height: 844, density: 3 }, server: expect.any(Object) as unknown });
  });
});

describe('Segment ways of saying "none" are read as none', () => {
  it.each(['page', 'screen'])('a %s with an empty name (analytics-kotlin screen("")) is stored without `event`, the name kept', async (type) => {
    const { answer, stored, context } = await send({ type, anonymousId: 'a', name: '', category: '' });
    expect(answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(stored!.event).toBeUndefined();
    expect(context!.segment_extra).toMatchObject({ name: '' });
  });

  it('userId "" next to an anonymousId is no user id; properties and traits sent as null are none', async () => {
    const track = await send({ type: 'track', anonymousId: 'a', userId: '', event: 'E', properties: null });
    expect(track.answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(track.stored).toMatchObject({ anonymous_id: 'a', user_id: null, event: 'E' });
    expect(track.stored!.properties).toBeUndefined();
    const identify = await send({ type: 'identify', userId: 'u', traits: null });
    expect(identify.answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(identify.stored!.traits).toBeUndefined();
  });

  it('numeric ids (analytics-php and analytics-ruby pass an integer userId through) are stored as strings', async () => {
    const { answer, stored } = await send({ type: 'group', userId: 1234, anonymousId: 5678, groupId: 42, traits: { name: 'Acme' } });
    expect(answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(stored).toMatchObject({ user_id: '1234', anonymous_id: '5678', group_id: '42', traits: { name: 'Acme' } });
  });

  it('a track with an empty event name is still refused by Segment\'s rule, at the Segment field', async () => {
    const { answer } = await send({ type: 'track', anonymousId: 'a', event: '' });
    expect(answer.results[0]).toMatchObject({ status: 'rejected', issues: [{ path: 'batch[0].event', code: 'required' }] });
  });
});

describe('context keys named like Object.prototype members', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('a page, campaign or library key %s is kept in segment_extra, and the batch beside it lands', async (key) => {
    const writer = createMemoryWriter();
    const odd = JSON.parse(`{"${key}":"c"}`) as Record<string, unknown>;
    const batch = [
      { type: 'page', anonymousId: 'a', name: 'Home', messageId: 'm-1', context: { page: { ...odd, path: '/' }, campaign: { ...odd, source: 'news' }, library: { ...odd, name: 'lib', version: 3 } } },
      { type: 'track', anonymousId: 'a', event: 'Fine', messageId: 'm-2' },
    ];
    const res = await testApp(writer).request('/v1/batch', post(JSON.stringify({ batch, sentAt })));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const [page] = writer.records.get('events')!.map((r) => decode(r.data));
    const context = page!.context as Record<string, unknown>;
    expect(context.page).toEqual({ path: '/' });
    expect(context.campaign).toEqual({ source: 'news' });
    // A numeric library version is still the version.
    expect(context.library).toEqual({ name: 'lib', version: '3' });
    const extra = (context.segment_extra as { context: Record<string, Record<string, unknown>> }).context;
    for (const slot of ['page', 'campaign', 'library']) {
      expect(Object.getPrototypeOf(extra[slot])).toBe(Object.prototype);
      expect(Object.keys(extra[slot]!)).toEqual([key]);
      expect(Object.getOwnPropertyDescriptor(extra[slot], key)?.value).toBe('c');
    }
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('a message of type %s is refused on its own; the batch beside it lands', async (type) => {
    const writer = createMemoryWriter();
    const batch = [{ type: 'track', event: 'Fine', anonymousId: 'a', messageId: 'm-1' }, { type, anonymousId: 'a', messageId: 'm-2' }];
    const res = await testApp(writer).request('/v1/batch', post(JSON.stringify({ batch, sentAt })));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as BatchResponse;
    expect(answer).toMatchObject({ accepted: 1, rejected: 1 });
    expect(answer.results[1]).toMatchObject({ status: 'rejected', issues: [expect.objectContaining({ path: 'events[1].type' })] });
  });

  it('a batch context that is not an object is kept once in segment_extra.batch, not counted as copies', async () => {
    const writer = createMemoryWriter();
    const batch = [{ type: 'track', event: 'Fine', anonymousId: 'a', messageId: 'm-1' }];
    const res = await testApp(writer).request('/v1/batch', post(JSON.stringify({ batch, sentAt, context: ['ios', 17] })));
    expect(res.status).toBe(200);
    const [stored] = writer.records.get('events')!.map((r) => decode(r.data));
    expect((stored!.context as { segment_extra: unknown }).segment_extra).toMatchObject({ batch: { context: ['ios', 17] } });
    // Never copied, so never over the copy budget: 10 messages with a 10 KB array are not 100 KB of copies.
    const small = createMemoryWriter();
    const many = Array.from({ length: 10 }, (_, i) => ({ type: 'track', event: 'Fine', anonymousId: 'a', messageId: `m-${i}` }));
    const big = await testApp(small, { maxDecompressedBytes: 64 * 1024 }).request('/v1/batch', post(JSON.stringify({ batch: many, sentAt, context: ['x'.repeat(10_000)] })));
    expect(big.status).toBe(200);
    expect(small.records.get('events')).toHaveLength(10);
  });
});
