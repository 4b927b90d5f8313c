import type { FirehoseTransformationRecord, FirehoseTransformationResponse } from './aws-events';

type Output = FirehoseTransformationResponse['records'][number];

/**
 * The most a transformation response may hold, as JSON. Lambda's synchronous invocations answer at most
 * 6 MB (6,291,456 bytes) and Firehose invokes synchronously: a larger response fails the invocation,
 * Firehose retries the same batch (same records, same output, the same failure) and, retries spent, sends
 * every record of it to its error prefix (docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
 * Kept ~290 KB under the limit for the runtime's own framing.
 */
export const FIREHOSE_RESPONSE_MAX_BYTES = 6_000_000;

/** A record answered `ProcessingFailed`: its original data comes back, which Firehose writes under its error prefix. */
export function processingFailed(record: FirehoseTransformationRecord): Output {
  return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
}

/** A record's share of the response's JSON (its comma included). */
export function outputBytes(output: Output): number {
  return Buffer.byteLength(JSON.stringify(output), 'utf8') + 1;
}

/**
 * Which records to answer `ProcessingFailed` so the response fits in `maxBytes`: none when it fits, else
 * the last ones (Firehose's order is arrival order: the earliest go through) until it does. `bytes[i]` is
 * record i's share as transformed, `failedBytes[i]` as failed (its original data). As every record
 * failed is the input's own data, a batch Firehose could send (≤ 6 MB) always fits once enough have failed.
 * With Firehose's own recordIds (62 characters from a Kinesis source) the response measured 1.91–1.97 ×
 * the records' raw data (firehose-response-budget.test.ts; small events answer the most per byte): a buffer hint of 3 MB (3 MiB of data) passes 6 MB and ~23 % of records failed; 2 MB
 * (~4.1 MB answered) and the default 1 MB fit.
 */
const ENVELOPE_BYTES = '{"records":[]}'.length;

/** Whether answers of these sizes fit in one response as they are (nothing to fail for size). */
export function fitsResponse(bytes: readonly number[], maxBytes = FIREHOSE_RESPONSE_MAX_BYTES): boolean {
  return ENVELOPE_BYTES + bytes.reduce((sum, b) => sum + b, 0) <= maxBytes;
}

export function overBudget(bytes: readonly number[], failedBytes: readonly number[], maxBytes = FIREHOSE_RESPONSE_MAX_BYTES): Set<number> {
  let total = ENVELOPE_BYTES + bytes.reduce((sum, b) => sum + b, 0);
  const failed = new Set<number>();
  for (let i = bytes.length - 1; i >= 0 && total > maxBytes; i--) {
    if (bytes[i]! <= failedBytes[i]!) continue;
    total -= bytes[i]! - failedBytes[i]!;
    failed.add(i);
  }
  return failed;
}

/** The log line of an invocation whose output was cut to fit: error, as records of valid events go to the error prefix. */
export function overBudgetFields(failed: number, records: number, transformedBytes: number): Record<string, unknown> {
  return {
    records,
    processing_failed_for_size: failed,
    transformed_bytes: transformedBytes,
    max_response_bytes: FIREHOSE_RESPONSE_MAX_BYTES,
    fix: "lower the delivery stream's Lambda processor buffer size (ProcessingConfiguration BufferSizeInMBs); re-send the failed records from Firehose's error prefix",
  };
}

/** The reason a record failed for size gives in the ProcessingFailed line. */
export const OVER_BUDGET_REASON = "over Lambda's 6 MB response limit";

export const OVER_BUDGET_MSG = "transformed output over Lambda's 6 MB response limit: the last records answered ProcessingFailed (Firehose writes them under its error prefix)";
