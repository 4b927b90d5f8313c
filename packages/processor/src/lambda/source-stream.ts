/**
 * Which kind of records a Lambda invocation carries, from the stream it was fed by: the ingest's
 * rejections (its bad-rows stream, `events-bad` by default) or events. One function can then serve
 * both event source mappings (or both Firehose delivery streams) with one setting, the stream name
 * the ingest writes its rejections to.
 */
export type LambdaInput = 'events' | 'ingest-bad-rows';

/** The stream name in a Kinesis stream ARN (`arn:aws:kinesis:eu-west-1:123456789012:stream/events-bad`). */
export function streamNameOfArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const at = arn.lastIndexOf(':stream/');
  return at < 0 ? undefined : arn.slice(at + ':stream/'.length);
}

/** `ingest-bad-rows` when the source stream is the ingest's bad-rows stream; else (any other stream, Firehose Direct PUT) `events`. */
export function lambdaInputOf(sourceArn: string | undefined, badRowsStreamName: string | undefined): LambdaInput {
  return badRowsStreamName !== undefined && streamNameOfArn(sourceArn) === badRowsStreamName ? 'ingest-bad-rows' : 'events';
}
