import type { ProcessorCounts } from './backlog';

/**
 * The live view's accounting line: every record the ingest wrote to Kinesis (events and its bad rows)
 * is, at the processor, delivered to the lake, left out as a duplicate, kept as a bad row, held (read,
 * waiting for its flush), or not read. The ingest counts since its process started; the processor's
 * counts are taken less its `baseline`: what it had read and flushed when the ingest started, i.e. the
 * records earlier runs left in the stream unread (src/backlog.ts). So the line is this run's alone.
 *
 * `not_read` is what Kinesis still holds — or no longer holds: a record the stream's retention trims
 * before the processor reads it is dropped without a trace (Kinesis and the emulators skip it in
 * GetRecords; the processor never sees it, so it cannot count it). Such a record stays in `not_read`
 * for good: a `not_read` above 0 once the processor has caught up (lag 0) is that loss.
 *
 * Without a baseline (the backlog could not be counted, or the processor did not get through it before
 * the ingest started) the backlog's records are on the processor's side: `not_read` can go below 0,
 * and by as much it hides records this run lost. The live view says so.
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
  /** The processor's counts when the ingest started (the backlog's); null: none, the backlog is in the line. */
  baseline?: ProcessorCounts | null;
}

/** Null while a side is down or has not reported: a partial sum would not add up. */
export function accountFor(input: AccountingInput): Accounting | null {
  const { written } = input;
  if (written === null || input.read === null || input.delivered === null || input.duplicates === null || input.bad_rows === null) return null;
  const base = input.baseline ?? { read: 0, delivered: 0, duplicates: 0, bad_rows: 0 };
  const read = input.read - base.read;
  const delivered = input.delivered - base.delivered;
  const duplicates = input.duplicates - base.duplicates;
  const bad_rows = input.bad_rows - base.bad_rows;
  const held = read - delivered - duplicates - bad_rows;
  const not_read = written - read;
  return { written, delivered, duplicates, bad_rows, held, not_read, in_flight: held + not_read };
}
