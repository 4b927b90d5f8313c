/** Kinesis sequence numbers are decimal strings too long for a number: compare by length, then text. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
