/**
 * The live view's accounting line: every record the ingest wrote to Kinesis (events and its bad rows)
 * is, at the processor, delivered to the lake, left out as a duplicate, kept as a bad row, held (read,
 * waiting for its flush), or not read. Both sides count since their process started (the demo starts
 * them together).
 *
 * `not_read` is what Kinesis still holds — or no longer holds: a record the stream's retention trims
 * before the processor reads it is dropped without a trace (Kinesis and the emulators skip it in
 * GetRecords; the processor never sees it, so it cannot count it). Such a record stays in `not_read`
 * for good: a `not_read` above 0 once the processor has caught up (lag 0) is that loss.
 *
 * Known limit: the ingest counts from its own start, but the processor resumes from its checkpoint
 * and also reads (and delivers) what an earlier run wrote and never read (a processor killed while
 * behind; a normal stop can leave a few: the processor stops right after the ingest). Those records
 * are on the processor's side only, so `not_read` can go below 0, and by as much they offset records
 * this run lost: after such a start a `not_read` of 0 does not prove nothing was lost. The live view
 * says so next to a negative value.
 */
export interface Accounting {
  written: number;
  delivered: number;
  duplicates: number;
  bad_rows: number;
  /** Read by the processor and held in its buffers until the next flush. */
  held: number;
  /** Not read by the processor: still in the stream, or trimmed by its retention unread (uncountable). */
  not_read: number;
  /** held + not_read: falls to 0 once the processor has caught up, unless records expired unread. */
  in_flight: number;
}

export interface AccountingInput {
  /** The ingest's `eventline_ingest_kinesis_records_written_total` (both streams). */
  written: number | null;
  /** The processor's records read (both streams): what it got from GetRecords. */
  read: number | null;
  /** The processor's rows delivered (events stream), duplicates left out (events stream) and bad rows written (both streams). */
  delivered: number | null;
  duplicates: number | null;
  bad_rows: number | null;
}

/** Null while a side is down or has not reported: a partial sum would not add up. */
export function accountFor(input: AccountingInput): Accounting | null {
  const { written, read, delivered, duplicates, bad_rows } = input;
  if (written === null || read === null || delivered === null || duplicates === null || bad_rows === null) return null;
  const held = read - delivered - duplicates - bad_rows;
  const not_read = written - read;
  return { written, delivered, duplicates, bad_rows, held, not_read, in_flight: held + not_read };
}
