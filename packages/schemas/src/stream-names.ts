/**
 * Kinesis stream names the ingest writes and the processor reads: one rule and one default for
 * both sides, so a name one accepts is never one the other refuses.
 */

/** The ingest's bad-rows stream when BAD_ROWS_STREAM_NAME is unset (the Lambda processor reads it by this name). */
export const DEFAULT_BAD_ROWS_STREAM = 'events-bad';

/** Kinesis stream names: 1–128 of A-Z a-z 0-9 _ . - (the `StreamName` pattern of the Kinesis API). */
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Pushes a problem when `value` is not a stream name. An ARN (what the console shows first) is the
 * usual slip: every PutRecords / GetRecords then fails with a ValidationException at run time, so it
 * is refused at start, with the name to use instead.
 */
export function checkStreamName(variable: string, value: string, problems: string[]): void {
  if (STREAM_NAME.test(value)) return;
  const fromArn = /^arn:[^:]*:kinesis:[^:]*:[^:]*:stream\/([A-Za-z0-9_.-]{1,128})$/.exec(value)?.[1];
  const hint = fromArn ? `: use the stream name "${fromArn}", not its ARN` : '';
  problems.push(`${variable} must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "${value}"${hint}`);
}
