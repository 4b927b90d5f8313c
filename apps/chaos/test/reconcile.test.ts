import { describe, expect, it } from 'vitest';
import { keyIn, type Tracked } from '../src/ledger';
import type { LakeContents } from '../src/lake-read';
import { problems, reconcile } from '../src/reconcile';

const T0 = 1_000_000;
const tracked = new Map<string, Tracked>(
  [
    { key: 'n000000', source: 'node', trackedAt: T0, expected: { lake: true } },
    { key: 'b000001', source: 'browser', trackedAt: T0, expected: { lake: true } },
    { key: 'n000002', source: 'node', trackedAt: T0, expected: { lake: false, errorType: 'ingest_invalid_event' } },
    { key: 'r000003', source: 'raw', trackedAt: T0, expected: { lake: false, errorType: 'parse' } },
  ].map((t) => [t.key, t as Tracked]),
);
const row = (key: string, eventId: string, file = 'f1', requestId: string | null = 'req-1') => ({ eventId, properties: JSON.stringify({ chaos_key: key }), requestId, file });
const clean: LakeContents = {
  events: [row('n000000', 'e0'), row('b000001', 'e1', 'f2')],
  badRows: [
    { errorType: 'ingest_invalid_event', reason: 'events[3].properties.af_revenue: expected number', payload: JSON.stringify({ properties: { chaos_key: 'n000002' } }) },
    { errorType: 'parse', reason: 'not valid JSON: Unexpected token', payload: '{"chaos_key":"r000003", this is not JSON' },
  ],
};
const files = new Map([
  ['f1', T0 + 1500],
  ['f2', T0 + 4000],
]);

describe('reconcile', () => {
  it('balances a clean lake: delivered once, bad rows by reason, delays from file times', () => {
    const r = reconcile(tracked, clean, files);
    expect(r).toMatchObject({ sent: 4, delivered: 2, badAccounted: 2, duplicates: 0, duplicateEventIds: 0, missing: [], misplaced: [], unexpected: 0 });
    expect(r.badByReason).toEqual({ 'ingest_invalid_event properties.af_revenue': 1, 'parse not valid JSON': 1 });
    expect(r.delayMs.max).toBe(4000);
    expect(r.maxDelayBySource).toEqual({ node: 1500, browser: 4000, raw: 0 });
    expect(problems(r)).toEqual([]);
  });

  it('counts a resent event as a duplicate, by tracked event and by event_id', () => {
    const r = reconcile(tracked, { ...clean, events: [...clean.events, row('n000000', 'e0', 'f3', 'req-2')] }, files);
    expect(r).toMatchObject({ duplicates: 1, duplicateEventIds: 1 });
    expect(r.duplicateSamples).toEqual([{ key: 'n000000', eventIds: ['e0', 'e0'], requestIds: ['req-1', 'req-2'] }]);
    expect(problems(r)).toHaveLength(2);
  });

  it('reports a lost event, an event in the wrong place and a row nobody tracked', () => {
    const r = reconcile(
      tracked,
      { events: [row('n000000', 'e0'), row('n000002', 'e2'), row('x', 'e9')], badRows: [clean.badRows[1]!, { errorType: 'validation', reason: 'x', payload: '{"chaos_key":"b000001"}' }] },
      files,
    );
    expect(r.missing).toEqual([]);
    expect(r.misplaced.sort()).toEqual(['b000001', 'n000002']);
    expect(r.unexpected).toBe(1);
    const lost = reconcile(tracked, { events: [row('n000000', 'e0')], badRows: clean.badRows }, files);
    expect(lost.missing).toEqual(['b000001']);
    expect(problems(lost)).toEqual(['1 events missing (e.g. b000001)']);
  });

  it('finds the key in lake properties, ingest bad-row payloads (escaped JSON) and raw text', () => {
    expect(keyIn('{"chaos_key":"b000123","x":1}')).toBe('b000123');
    expect(keyIn('{\\"chaos_key\\":\\"n000042\\"}')).toBe('n000042');
    expect(keyIn('{"chaos_key":"r000007", this is not JSON')).toBe('r000007');
    expect(keyIn('{"other":"n000001"}')).toBeUndefined();
  });
});
