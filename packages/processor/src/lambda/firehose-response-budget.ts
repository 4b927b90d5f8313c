import type { FirehoseTransformationRecord, FirehoseTransformationResponse } from './aws-events';

type Output = FirehoseTransformationResponse['records'][number];

/**
 * Lambda's limit on a synchronous invocation's response: 6 MB, 6,291,456 bytes (the Runtime API's 413 names
 * 6,291,556). Firehose invokes synchronously: a larger response fails the invocation, Firehose retries the
 * same batch (same records, same output, the same failure) and, retries spent, sends every record of it to
 * its error prefix (docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_456;

/**
 * Kept under the limit. The Node runtime posts `JSON.stringify` of the handler's answer, which is what the
 * budget counts: firehose-response-budget.test.ts measures the count against that JSON, one byte over it
 * (a comma counted for the last record too). The KiB is for whatever another runtime version might add.
 * (The budget was 6,000,000, ~290 KB under the limit "for the runtime's framing", which there is none of:
 * an answer between the two had records failed for nothing.)
 */
export const RESPONSE_MARGIN_BYTES = 1_024;

/** The most a transformation response may hold, as JSON. */
export const FIREHOSE_RESPONSE_MAX_BYTES = LAMBDA_RESPONSE_LIMIT_BYTES - RESPONSE_MARGIN_BYTES;

/** A record answered `ProcessingFailed`: its original data comes back, which Firehose writes under its error prefix. */
export function processingFailed(record: FirehoseTransformationRecord): Output {
  return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
}

/** A record's share of the response's JSON (its comma included). */
export function outputBytes(output: Output): number {
  return Buffer.byteLength(JSON.stringify(output), 'utf8') + 1;
}

const ENVELOPE_BYTES = '{"records":[]}'.length;

const sum = (values: readonly number[]): number => values.reduce((total, b) => total + b, 0);

/** Whether answers of these sizes fit in one response as they are (nothing to fail for size). */
export function fitsResponse(bytes: readonly number[], maxBytes = FIREHOSE_RESPONSE_MAX_BYTES): boolean {
  return ENVELOPE_BYTES + sum(bytes) <= maxBytes;
}

/**
 * Which records to answer `ProcessingFailed` so the response fits in `maxBytes`: none when it fits, else
 * the last ones (Firehose's order is arrival order: the earliest go through) until it does. `bytes[i]` is
 * record i's share as transformed, `failedBytes[i]` as failed (its original data). None either when failing
 * every record that would shrink the answer still leaves it over: they would go to the error prefix for
 * nothing (the invocation fails as it would have; see fitsWhenFailed). A failed record answers the request's
 * own data without its arrival time and Kinesis metadata, so the all-failed answer is smaller than the
 * request, which Lambda holds to the same 6 MB: only a request within the margin of the limit cannot be
 * made to fit. (The old comment said any batch "always fits once enough have failed": against its 6,000,000
 * budget, a request of 46 records of 'é' text or 5 of 900 KB had every record failed and was still over it.)
 * With Firehose's own recordIds (62 characters from a Kinesis source) the response measured 1.91–1.97 ×
 * the records' raw data (firehose-response-budget.test.ts; small events answer the most per byte): see the
 * README for the buffer hint that fits.
 */
export function overBudget(bytes: readonly number[], failedBytes: readonly number[], maxBytes = FIREHOSE_RESPONSE_MAX_BYTES): Set<number> {
  let total = ENVELOPE_BYTES + sum(bytes);
  const failed = new Set<number>();
  if (total <= maxBytes || !fitsWhenFailed(bytes, failedBytes, maxBytes)) return failed;
  for (let i = bytes.length - 1; i >= 0 && total > maxBytes; i--) {
    if (bytes[i]! <= failedBytes[i]!) continue;
    total -= bytes[i]! - failedBytes[i]!;
    failed.add(i);
  }
  return failed;
}

/** Whether failing every record whose failed answer is smaller would bring the response within `maxBytes`. */
export function fitsWhenFailed(bytes: readonly number[], failedBytes: readonly number[], maxBytes = FIREHOSE_RESPONSE_MAX_BYTES): boolean {
  return ENVELOPE_BYTES + sum(bytes.map((b, i) => Math.min(b, failedBytes[i]!))) <= maxBytes;
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

/**
 * Logged (error) when the answer is over the budget and failing records cannot bring it under: it is sent as
 * it is, and Lambda, should it be over the limit itself, fails the invocation, which Firehose retries.
 */
export const UNFITTABLE_MSG =
  "transformed output over Lambda's 6 MB response budget even with every record answered ProcessingFailed: answered as it is (failing records would only send them to the error prefix); over the limit, Lambda fails the invocation and Firehose retries it";
