/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms, or undefined.
 * Dates must end in GMT as HTTP dates do: Date.parse alone accepts almost anything ("-5", "3.5").
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/ GMT$/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
