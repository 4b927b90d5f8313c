import { describe, expect, it } from 'vitest';
import { PAYLOAD_MAX_CHARS, parseUserAgent, processRecords, toLakeRow } from '../src';
import { record, storedEvent } from './fixtures/events';

const fixedNow = (): Date => new Date('2026-11-25T10:00:00.000Z');

describe('processRecords', () => {
  it('accepts valid stored events, in order', () => {
    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2', type: 'page', event: undefined })];
    const { rows, badRows, duplicates } = processRecords(events.map((e) => record(e)));
    expect(rows).toEqual(events.map((e) => toLakeRow(e, parseUserAgent(undefined))));
    expect(rows.map((r) => r.event_id)).toEqual(events.map((e) => e.event_id));
    expect(badRows).toEqual([]);
    expect(duplicates).toBe(0);
  });

  it('turns invalid JSON into a parse bad row with the record context', () => {
    const input = record('{"event_id": ', 'dev-9');
    const { rows, badRows } = processRecords([input], { now: fixedNow });
    expect(rows).toEqual([]);
    expect(badRows).toEqual([
      {
        error_type: 'parse',
        reason: expect.stringMatching(/^not valid JSON: /) as unknown,
        sequence_number: input.sequenceNumber,
        partition_key: 'dev-9',
        payload: '{"event_id": ',
        payload_truncated: false,
        arrived_at: '2026-11-25T09:31:13.000Z',
        failed_at: '2026-11-25T10:00:00.000Z',
      },
    ]);
  });

  it('turns bytes that are not UTF-8 into a decode bad row', () => {
    const { badRows } = processRecords([record(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))]);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]?.error_type).toBe('decode');
    expect(badRows[0]?.payload).toBe('{\uFFFD\uFFFD}');
  });

  it('names the failing field of an invalid event', () => {
    const bad = storedEvent({ properties: { af_revenue: 'lots' } as never, app_id: undefined as never });
    const { rows, badRows } = processRecords([record(bad)]);
    expect(rows).toEqual([]);
    expect(badRows[0]?.error_type).toBe('validation');
    const reasons = badRows[0]?.reason.split('\n') ?? [];
    expect(reasons).toContain('app_id: required');
    expect(reasons.some((line) => line.startsWith('properties.af_revenue: '))).toBe(true);
  });

  it('rejects a client event without the server fields', () => {
    const client: Record<string, unknown> = { ...storedEvent() };
    delete client.received_at;
    delete client.app_id;
    const { badRows } = processRecords([record(client)]);
    expect(badRows[0]?.reason.split('\n').sort()).toEqual(['app_id: required', 'received_at: required']);
  });

  it('keeps the first of two records with the same event_id', () => {
    const first = storedEvent({ seq: 1 });
    const again = { ...first, seq: 2 };
    const { rows, badRows, duplicates } = processRecords([record(first), record(storedEvent()), record(again)]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ event_id: first.event_id, seq: 1 });
    expect(badRows).toEqual([]);
    expect(duplicates).toBe(1);
  });

  it('keeps two apps\' records with the same event_id: the dedupe key is (app_id, event_id)', () => {
    const shop = storedEvent({ app_id: 'shop' });
    const blog = { ...shop, app_id: 'blog' };
    const { rows, duplicates } = processRecords([record(shop), record(blog), record({ ...blog, seq: 9 })]);
    expect(rows.map((r) => [r.app_id, r.event_id])).toEqual([
      ['shop', shop.event_id],
      ['blog', shop.event_id],
    ]);
    expect(duplicates).toBe(1);
  });

  it('truncates a huge payload but keeps the bad row', () => {
    const huge = 'x'.repeat(PAYLOAD_MAX_CHARS + 10);
    const { badRows } = processRecords([record(huge)]);
    expect(badRows[0]?.payload).toHaveLength(PAYLOAD_MAX_CHARS);
    expect(badRows[0]?.payload_truncated).toBe(true);
  });
});
