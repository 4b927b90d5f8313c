/**
 * JSON text of a generated value, as a client might write it: like JSON.stringify, but a negative
 * zero is written `-0` (valid JSON, which JSON.stringify cannot produce), so the ingest meets one.
 */
export function jsonText(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
