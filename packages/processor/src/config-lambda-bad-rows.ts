import { checkStreamName, DEFAULT_BAD_ROWS_STREAM } from '@eventline/schemas';
import { optional } from './config-value';

/**
 * Lambda entries: the stream whose records are the ingest's rejections. Unlike the Node entry, where
 * BAD_ROWS_STREAM_NAME set means "consume it too", the Lambda reads whatever its event source
 * mappings feed it; the name only says which source stream is which, so it defaults to the ingest's
 * own default and a deployment with the default names sets nothing.
 */
export function readLambdaBadRowsStream(env: NodeJS.ProcessEnv, problems: string[]): string {
  const name = optional(env.BAD_ROWS_STREAM_NAME) ?? DEFAULT_BAD_ROWS_STREAM;
  checkStreamName('BAD_ROWS_STREAM_NAME', name, problems);
  return name;
}
