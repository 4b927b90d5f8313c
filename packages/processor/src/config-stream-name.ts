import { optional } from './config-value';

/** Kinesis stream names: 1–128 of A-Z a-z 0-9 _ . - (the `StreamName` pattern of the Kinesis API). */
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * A stream-name variable's value, or a problem saying why it is not one. An ARN is the usual slip
 * (it is what the console shows first): the stream API calls then fail on every read with a
 * ValidationException, so it is refused here, with the name to use instead.
 */
export function checkStreamName(variable: string, value: string, problems: string[]): void {
  if (STREAM_NAME.test(value)) return;
  const fromArn = /^arn:[^:]*:kinesis:[^:]*:[^:]*:stream\/([A-Za-z0-9_.-]{1,128})$/.exec(value)?.[1];
  const hint = fromArn ? `: use the stream name "${fromArn}", not its ARN` : '';
  problems.push(`${variable} must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "${value}"${hint}`);
}

/** The ingest's default bad-rows stream (its BAD_ROWS_STREAM_NAME default). */
export const INGEST_BAD_ROWS_STREAM_DEFAULT = 'events-bad';

/**
 * Lambda entries: the stream whose records are the ingest's rejections. Unlike the Node entry, where
 * BAD_ROWS_STREAM_NAME set means "consume it too", the Lambda reads whatever its event source
 * mappings feed it; the name only says which source stream is which, so it defaults to the ingest's
 * own default and a deployment with the default names sets nothing.
 */
export function readLambdaBadRowsStream(env: NodeJS.ProcessEnv, problems: string[]): string {
  const name = optional(env.BAD_ROWS_STREAM_NAME) ?? INGEST_BAD_ROWS_STREAM_DEFAULT;
  checkStreamName('BAD_ROWS_STREAM_NAME', name, problems);
  return name;
}
