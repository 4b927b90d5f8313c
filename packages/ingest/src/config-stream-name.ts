/** Kinesis stream names: 1–128 of A-Z a-z 0-9 _ . - (the `StreamName` pattern of the Kinesis API). */
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * A stream-name variable's value, or a problem saying why it is not one. An ARN (what the console
 * shows first) passed as a string, and then every PutRecords failed with a ValidationException:
 * every request answered 503 `retry`. Refused here, with the name to use instead.
 */
export function checkStreamName(variable: string, value: string, problems: string[]): void {
  if (STREAM_NAME.test(value)) return;
  const fromArn = /^arn:[^:]*:kinesis:[^:]*:[^:]*:stream\/([A-Za-z0-9_.-]{1,128})$/.exec(value)?.[1];
  const hint = fromArn ? `: use the stream name "${fromArn}", not its ARN` : '';
  problems.push(`${variable} must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "${value}"${hint}`);
}
