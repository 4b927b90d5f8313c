import { createHash } from 'node:crypto';
import { clipText, isDateTime } from '@eventline/schemas';

const HASH_HEX_DIGITS = 16;

/**
 * Segment bounds neither names nor ids, our envelope does (`LIMITS.eventNameMax` 255, `LIMITS.idMax` 256:
 * the id is also the Kinesis partition key, which holds at most 256 characters). A longer value is stored
 * as its start, `…` and 16 hex digits of its SHA-256, `max` characters in all (one fewer when a surrogate
 * pair straddles the cut): the same value always gives the same stored one, and two values sharing their
 * first `max - 17` characters stay two (a plain cut would merge them). The caller keeps the full value in
 * segment_extra.
 */
export function fitText(value: string, max: number): string {
  if (value.length <= max) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, HASH_HEX_DIGITS);
  return `${clipText(value, max - HASH_HEX_DIGITS - 1)}…${hash}`;
}

/**
 * A Segment `timestamp` the envelope can take as `client_ts`: an RFC 3339 date-time with an offset. Any other
 * (a date `2026-11-25`, an epoch number, .NET's `ToString("o")` of a DateTime of unspecified kind, Dart's
 * `toIso8601String()` of a local DateTime: no offset, so neither UTC nor local can be assumed) is not read.
 */
export function usableTime(value: unknown): string | undefined {
  return typeof value === 'string' && isDateTime(value) ? value : undefined;
}
