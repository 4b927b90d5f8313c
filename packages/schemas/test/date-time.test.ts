import { describe, expect, it } from 'vitest';
import { DATE_TIME, isDateTime, parseDateTime } from '../src';

/** A small deterministic generator (no flaky seeds): the same strings on every run. */
function generator(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) & 0x7fffffff), state / 0x80000000);
  const digits = (count: number) => Array.from({ length: count }, () => String(Math.floor(next() * 10))).join('');
  const pick = <T>(options: T[]): T => options[Math.floor(next() * options.length)]!;
  // Mostly plausible fields, with out-of-range ones (month 13, hour 24, day 00 …) mixed in.
  const field = () => (next() < 0.1 ? pick(['00', '24', '29', '30', '31', '59', '60']) : next() < 0.7 ? String(Math.floor(next() * 40)).padStart(2, '0') : digits(2));
  return () => {
    const offset = pick(['Z', 'z', `+${field()}:${field()}`, `-${field()}:${field()}`, '', '+0100']);
    const fraction = pick(['', `.${digits(1 + Math.floor(next() * 10))}`, '.000', '.0001']);
    let text = `${next() < 0.5 ? digits(4) : `20${digits(2)}`}-${field()}-${field()}${pick(['T', 't', ' '])}${field()}:${field()}:${field()}${fraction}${offset}`;
    if (next() < 0.05) {
      const at = Math.floor(next() * text.length);
      text = text.slice(0, at) + pick(['x', '1', '', '-', ':', '.', '٣']) + text.slice(at + 1);
    }
    return text;
  };
}

/**
 * The reference, written apart from parseDateTime: the DATE_TIME shape, Date.parse's reading, and
 * the rules Date.parse does not apply — the day exists in its month (a Date built from the fields
 * gives them back), hours 00–23, and an instant in years 0001–9999 UTC.
 */
function reference(text: string): number {
  const at = DATE_TIME.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return NaN;
  const [year, month, day, hour] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10), text.slice(11, 13)].map(Number) as [number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear, unlike Date.UTC, takes years 0–99 as they are
  if (date.getUTCMonth() !== month - 1 || hour > 23) return NaN;
  return at < Date.parse('0001-01-01T00:00:00Z') || at > Date.parse('9999-12-31T23:59:59.999Z') ? NaN : at;
}

describe('parseDateTime', () => {
  it('reads every RFC 3339 date-time as the reference does, and nothing else', () => {
    const next = generator(2026);
    let valid = 0;
    for (let i = 0; i < 200_000; i++) {
      const text = next();
      const expected = reference(text);
      if (!Number.isNaN(expected)) valid += 1;
      if (!Object.is(parseDateTime(text), expected)) expect({ text, got: parseDateTime(text) }).toEqual({ text, got: expected });
    }
    // The generator must reach both sides for the comparison to mean something.
    expect(valid).toBeGreaterThan(2_000);
    expect(valid).toBeLessThan(190_000);
    // ~1 s alone; 5 s (vitest's default) was exceeded with both cores busy with other suites.
  }, 60_000);

  it('takes real times in years 0001–9999 with any RFC 3339 offset', () => {
    expect(parseDateTime('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseDateTime('2000-02-29T23:59:59.999Z')).toBe(Date.parse('2000-02-29T23:59:59.999Z'));
    expect(parseDateTime('2026-11-25T10:00:00.123456789+01:30')).toBe(Date.parse('2026-11-25T08:30:00.123Z'));
    expect(parseDateTime('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
    expect(parseDateTime('9999-12-31T23:59:59.999Z')).toBe(Date.parse('9999-12-31T23:59:59.999Z'));
    expect(parseDateTime('9999-12-31T23:59:59.999+23:59')).toBe(Date.parse('9999-12-31T23:59:59.999+23:59'));
  });

  it('refuses days a month does not have, 24:00, leap seconds, year 0 and instants outside years 0001–9999 UTC', () => {
    for (const text of [
      '2026-02-29T00:00:00Z', // not a leap year
      '1900-02-29T00:00:00Z', // nor is 1900
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-06-30T23:59:60Z',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+00:01', // 0000-12-31 in UTC
      '9999-12-31T23:59:59-00:01', // 10000-01-01 in UTC
      '2026-13-01T00:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00.Z',
      '2026-01-01T00:00:00.1234567890Z',
    ]) {
      expect(parseDateTime(text), text).toBeNaN();
      expect(isDateTime(text), text).toBe(false);
    }
  });
});
