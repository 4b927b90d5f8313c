/**
 * The live view's accounting line: every record the ingest wrote to Kinesis (events and its bad rows)
 * is, at the processor, delivered to the lake, left out as a duplicate, kept as a bad row, or not
 * read yet. `in_flight` is what remains: it falls to 0 once the processor has caught up.
 * Both sides count since their process started (the demo starts them together).
 */
export interface Accounting {
  written: number;
  delivered: number;
  duplicates: number;
  bad_rows: number;
  in_flight: number;
}

export interface AccountingInput {
  /** The ingest's `eventline_ingest_kinesis_records_written_total` (both streams). */
  written: number | null;
  /** The processor's rows delivered (events stream), duplicates left out (events stream) and bad rows written (both streams). */
  delivered: number | null;
  duplicates: number | null;
  bad_rows: number | null;
}

/** Null while a side is down or has not reported: a partial sum would not add up. */
export function accountFor(input: AccountingInput): Accounting | null {
  const { written, delivered, duplicates, bad_rows } = input;
  if (written === null || delivered === null || duplicates === null || bad_rows === null) return null;
  return { written, delivered, duplicates, bad_rows, in_flight: written - delivered - duplicates - bad_rows };
}
