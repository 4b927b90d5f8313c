/**
 * A record's arrival time from AWS's epoch milliseconds, or undefined when the field is missing or no
 * time (its bad row then says `arrived_at: null`). `new Date()` of it gave an Invalid Date whose
 * `toISOString()` threw out of the handler: the whole invocation failed, every retry alike, for one record.
 */
export function arrivalTimeOf(epochMs: unknown): Date | undefined {
  if (typeof epochMs !== 'number') return undefined;
  const time = new Date(epochMs);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
