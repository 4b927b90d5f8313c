import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createApp } from './app';
import { loadConfig } from './config';
import { withoutStagePrefix } from './http/stage-prefix';
import { createKinesisClient } from './kinesis/client';
import { createKinesisWriter } from './kinesis/kinesis-writer';
import type { RecordWriter } from './kinesis/record-writer';

export type LambdaHandler = ReturnType<typeof handle>;

/** API Gateway's view of the caller; hono/aws-lambda passes it as `c.env.requestContext`. */
function sourceIp(c: Context): string | undefined {
  const env = c.env as { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } } | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.requestContext?.identity?.sourceIp;
}

/**
 * The same app behind API Gateway (HTTP API, payload v2; REST v1 works too) through Hono's adapter,
 * from an explicit env (throws a ConfigError listing every problem). One request at a time per
 * instance, so the writer does not linger for company. No side effects on import: `lambda.ts` is
 * the deployable entry that builds one from process.env. A named stage's prefix in the path
 * (`/prod/v1/batch`) is cut before routing (see `withoutStagePrefix`).
 */
export function createLambdaHandler(env: Record<string, string | undefined> = process.env, writer?: RecordWriter): LambdaHandler {
  const config = loadConfig(env);
  const log = (record: Record<string, unknown>): void => console.log(JSON.stringify({ service: 'ingest', ...record }));
  const out = writer ?? createKinesisWriter(createKinesisClient(config.kinesis), { ...config.writer, lingerMs: 0 });
  const handleApp = handle(createApp({ writer: out, options: config, log, clientIp: sourceIp }));
  return (event, context) => handleApp(withoutStagePrefix(event), context);
}

