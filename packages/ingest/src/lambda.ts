import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createApp } from './app';
import { loadConfig } from './config';
import { createKinesisClient } from './kinesis/client';
import { createKinesisWriter } from './kinesis/kinesis-writer';
import type { RecordWriter } from './kinesis/record-writer';

type LambdaHandler = ReturnType<typeof handle>;

/** API Gateway's view of the caller; hono/aws-lambda passes it as `c.env.requestContext`. */
function sourceIp(c: Context): string | undefined {
  const env = c.env as { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } } | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.requestContext?.identity?.sourceIp;
}

/**
 * The same app behind API Gateway (HTTP API, payload v2; REST v1 works too) through Hono's adapter.
 * Config is read and validated once per instance (see `built` below).
 * One request at a time per instance, so the writer does not linger for company.
 */
export function createLambdaHandler(env: Record<string, string | undefined> = process.env, writer?: RecordWriter): LambdaHandler {
  const config = loadConfig(env);
  const log = (record: Record<string, unknown>): void => console.log(JSON.stringify({ service: 'ingest', ...record }));
  const out = writer ?? createKinesisWriter(createKinesisClient(config.kinesis), { ...config.writer, lingerMs: 0 });
  return handle(createApp({ writer: out, options: config, log, clientIp: sourceIp }));
}

/**
 * The handler built once per instance. In the Lambda runtime (AWS_LAMBDA_FUNCTION_NAME is always set
 * there) it is built while the module loads, so a bad config fails the init (every problem listed)
 * instead of the first request. Elsewhere (tests importing this module) it is built at the first
 * call; a config error is kept and thrown again, never re-read.
 */
let built: { handler: LambdaHandler } | { error: Error } | undefined;

function build(): { handler: LambdaHandler } | { error: Error } {
  try {
    return { handler: createLambdaHandler() };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
  built = build();
  if ('error' in built) throw built.error;
}

/** The Lambda entry point (`dist/lambda.handler`). */
export const handler: LambdaHandler = async (event, context) => {
  built ??= build();
  if ('error' in built) throw built.error;
  return built.handler(event, context);
};
