import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { LIMITS } from '@eventline/schemas';
import { createMemoryWriter, type BatchResponse } from '../src';
import { fitText } from '../src/routes/segment-fit';
import { decode, post, testApp } from './helpers';

/** What Segment sends that our envelope cannot take as sent: timestamps without an offset, names and ids over our limits. */
const sentAt = '2026-11-26T09:15:31.000+01:00';

async function sendBatch(batch: unknown[], batchSentAt = sentAt) {
  const writer = createMemoryWriter();
  const res = await testApp(writer).request('/v1/batch', post(JSON.stringify({ batch, sentAt: batchSentAt })));
  expect(res.status).toBe(200);
  const answer = (await res.json()) as BatchResponse;
  const events = (writer.records.get('events') ?? []).map((r) => decode(r.data));
  return { answer, events, bad: writer.records.get('events-bad') ?? [] };
}
const extraOf = (event: Record<string, unknown> | undefined) => (event!.context as Record<string, unknown>).segment_extra as Record<string, unknown> | undefined;

describe('a Segment timestamp that is not RFC 3339 with an offset', () => {
  // .NET's DateTime.ToString("o") of an unspecified-kind DateTime (7 digits, no offset), Dart's toIso8601String() of a
  // local DateTime (microseconds, no offset), a date, epoch milliseconds, a non-date: none says which zone it is in.
  const unread = ['2026-11-01T09:00:00.0000000', '2026-11-26T09:15:30.123456', '2026-11-25', 1764148530123, 'yesterday', { at: 1 }];

  it('is kept as sent in segment_extra.timestamp; client_ts is the batch sentAt (as for a message without one), the event accepted', async () => {
    const { answer, events, bad } = await sendBatch(unread.map((timestamp, i) => ({ type: 'track', event: 'E', userId: `u${i}`, messageId: `m-${i}`, timestamp })));
    expect(answer).toMatchObject({ accepted: unread.length, rejected: 0 });
    expect(bad).toHaveLength(0);
    for (const [i, event] of events.entries()) {
      expect(event.client_ts).toBe(sentAt);
      expect(extraOf(event)).toEqual({ timestamp: unread[i], messageId: `m-${i}` });
      // derived_ts: client_ts is the sentAt, so the receive time.
      expect((event.context as { server: { derived_ts: string } }).server.derived_ts).toBe(event.received_at);
    }
  });

  it('gives way to a readable originalTimestamp; an offset-less originalTimestamp is kept as sent too; null is no timestamp', async () => {
    const { events } = await sendBatch([
      { type: 'track', event: 'E', userId: 'u', timestamp: '2026-11-01T09:00:00.0000000', originalTimestamp: '2026-11-01T08:00:00.000Z' },
      { type: 'track', event: 'E', userId: 'u', originalTimestamp: '2026-11-01T09:00:00' },
      { type: 'track', event: 'E', userId: 'u', timestamp: null },
    ]);
    expect(events[0]!.client_ts).toBe('2026-11-01T08:00:00.000Z');
    expect(extraOf(events[0])).toEqual({ timestamp: '2026-11-01T09:00:00.0000000' });
    expect(events[1]!.client_ts).toBe(sentAt);
    expect(extraOf(events[1])).toEqual({ originalTimestamp: '2026-11-01T09:00:00' });
    expect(events[2]!.client_ts).toBe(sentAt);
    expect(extraOf(events[2])).toBeUndefined();
  });

  it('keeps the event id of a resend (a new sentAt, the same message), with and without a messageId; another unread time is another id', async () => {
    const messages = [
      ...unread.map((timestamp, i) => ({ type: 'track', event: 'E', userId: 'u', messageId: `m-${i}`, timestamp })),
      ...unread.map((timestamp) => ({ type: 'track', event: 'E', userId: 'u', timestamp })),
      { type: 'track', event: 'E', userId: 'u', originalTimestamp: '2026-11-01T09:00:00' },
    ];
    const first = await sendBatch(messages);
    // Segment's libraries stamp sentAt anew on every attempt.
    const resent = await sendBatch(messages, '2026-11-26T09:16:02.000+01:00');
    expect(resent.events.map((e) => e.event_id)).toEqual(first.events.map((e) => e.event_id));
    expect(new Set(first.events.map((e) => e.event_id)).size).toBe(messages.length);
    // The id's time is the unread value read as UTC, for its sort order only: client_ts stays the sentAt.
    expect((first.events[0]!.event_id as string).slice(0, 13)).toBe(Date.parse('2026-11-01T09:00:00Z').toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-'));
    expect(first.events[0]!.client_ts).toBe(sentAt);
  });

  it('still reads every RFC 3339 form with an offset the libraries send (7 fraction digits and a local offset, no fraction, microseconds)', async () => {
    const read = ['2026-11-26T09:15:30.1234567+01:00', '2026-11-26T08:15:30+00:00', '2026-11-26T08:15:30.123456Z', '2026-11-26T17:15:30.123+09:00'];
    const { events } = await sendBatch(read.map((timestamp) => ({ type: 'track', event: 'E', userId: 'u', timestamp })));
    expect(events.map((e) => e.client_ts)).toEqual(read);
    expect(events.map(extraOf)).toEqual(read.map(() => undefined));
  });
});

describe('names and ids over our limits (Segment bounds neither)', () => {
  const hash16 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

  it('fitText: the start, … and 16 hex digits of the SHA-256, max characters; never half a surrogate pair; short text as it is', () => {
    const long = 'a'.repeat(300);
    expect(fitText(long, 255)).toBe(`${'a'.repeat(238)}…${hash16(long)}`);
    expect(fitText(long, 255)).toHaveLength(255);
    expect(fitText('a'.repeat(255), 255)).toBe('a'.repeat(255));
    // An emoji straddling the cut (units 237–238) is left out whole.
    const emoji = `${'a'.repeat(237)}😀${'b'.repeat(100)}`;
    expect(fitText(emoji, 255)).toBe(`${'a'.repeat(237)}…${hash16(emoji)}`);
  });

  it('stores a track event name over 255 characters fitted, the full name in segment_extra.event; names sharing their start stay apart', async () => {
    const stem = 'Viewed https://shop.example/search?q='.padEnd(300, 'x');
    const [one, two] = [`${stem}-one`, `${stem}-two`];
    const { answer, events } = await sendBatch([
      { type: 'track', event: one, anonymousId: 'a', messageId: 'm1' },
      { type: 'track', event: two, anonymousId: 'a', messageId: 'm2' },
      { type: 'track', event: one, anonymousId: 'a', messageId: 'm3' },
      { type: 'screen', name: one, anonymousId: 'a', messageId: 'm4' },
    ]);
    expect(answer).toMatchObject({ accepted: 4, rejected: 0 });
    const names = events.map((e) => e.event as string);
    for (const name of names) expect(name).toHaveLength(LIMITS.eventNameMax);
    expect(names[0]).not.toBe(names[1]);
    expect(names[0]).toBe(names[2]);
    expect(names[0]).toBe(names[3]);
    expect(names[0]!.startsWith(stem.slice(0, 238))).toBe(true);
    expect(extraOf(events[0])).toMatchObject({ event: one });
    expect(extraOf(events[1])).toMatchObject({ event: two });
    expect(extraOf(events[3])).toMatchObject({ name: one });
    expect(extraOf(events[3])).not.toHaveProperty('event');
  });

  it('stores ids over 256 characters fitted (anonymous_id from a long userId too), each full id in segment_extra under its Segment name', async () => {
    const longUser = `user:${'u'.repeat(400)}`;
    const longAnon = `anon:${'a'.repeat(300)}`;
    const longGroup = `org:${'g'.repeat(300)}`;
    const { answer, events } = await sendBatch([
      { type: 'identify', userId: longUser, traits: { plan: 'pro' } },
      { type: 'group', anonymousId: longAnon, userId: 'short', groupId: longGroup },
      { type: 'alias', userId: 'new-id', previousId: longAnon },
    ]);
    expect(answer).toMatchObject({ accepted: 3, rejected: 0 });
    const [identify, group, alias] = events;
    expect(identify).toMatchObject({ user_id: fitText(longUser, 256), anonymous_id: fitText(longUser, 256) });
    expect((identify!.user_id as string).length).toBe(256);
    expect(extraOf(identify)).toEqual({ userId: longUser });
    expect(group).toMatchObject({ anonymous_id: fitText(longAnon, 256), user_id: 'short', group_id: fitText(longGroup, 256) });
    expect(extraOf(group)).toEqual({ anonymousId: longAnon, groupId: longGroup });
    // The same id fitted the same way in every event: joins on it still hold.
    expect(alias).toMatchObject({ previous_id: group!.anonymous_id, user_id: 'new-id' });
    expect(extraOf(alias)).toEqual({ previousId: longAnon });
  });

  it('leaves names and ids at the limit as they are, with no segment_extra', async () => {
    const { events } = await sendBatch([{ type: 'track', event: 'e'.repeat(255), userId: 'u'.repeat(256), anonymousId: 'a'.repeat(256) }]);
    expect(events[0]).toMatchObject({ event: 'e'.repeat(255), user_id: 'u'.repeat(256), anonymous_id: 'a'.repeat(256) });
    expect(extraOf(events[0])).toBeUndefined();
  });
});
