import type { Context } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createApp } from './app';
import type { RequestRejectedError } from './errors';
import { loadConfig } from './config';
import { lambdaBodyOf, undecodableBody, type LambdaBody } from './http/lambda-body';
import { frontEndOf, lambdaClientIp } from './http/lambda-event';
import { documentedShape } from './http/lambda-event-shape';
import { withRoutedPath } from './http/lambda-path';
import { createKinesisClient } from './kinesis/client';
import { createKinesisWriter } from './kinesis/kinesis-writer';
import type { RecordWriter } from './kinesis/record-writer';

export type LambdaHandler = ReturnType<typeof handle>;

/**
 * The same app behind AWS through Hono's adapter, from an explicit env (throws a ConfigError listing
 * every problem). Served: an API Gateway HTTP API (payload 2.0 or 1.0, any stage), a REST API's Lambda
 * proxy integration, a function URL, an ALB target group (see `frontEndOf`); any other event fails the
 * invocation with an UnsupportedLambdaEventError saying so. A named stage's segment and the custom
 * domain's base path (INGEST_BASE_PATH) are cut from the path before routing (`withRoutedPath`). One
 * request at a time per instance, so the writer does not linger for company. Fields a relay may send
 * otherwise than AWS documents are put in their documented form first (lambda-event-shape.ts). No side effects on
 * import: `lambda.ts` is the deployable entry that builds one from process.env.
 */
export function createLambdaHandler(env: Record<string, string | undefined> = process.env, writer?: RecordWriter): LambdaHandler {
  const config = loadConfig(env);
  const log = (record: Record<string, unknown>): void => console.log(JSON.stringify({ service: 'ingest', ...record }));
  const out = writer ?? createKinesisWriter(createKinesisClient(config.kinesis), { ...config.writer, lingerMs: 0 });
  // What each event's body is (lambda-body.ts), judged once from the event as it came: Hono's adapter
  // passes the event it was handed as `c.env.event`.
  const bodies = new WeakMap<object, LambdaBody>();
  // Requests the event itself refuses (a single-valued header with conflicting lines): answered by the app.
  const refusals = new WeakMap<object, RequestRejectedError>();
  const eventOf = (c: Context): LambdaEvent | undefined => (c.env as { event?: LambdaEvent } | undefined)?.event;
  const frontEndBody = (c: Context): LambdaBody | undefined => {
    const event = eventOf(c);
    return event === undefined ? undefined : bodies.get(event);
  };
  const frontEndRefusal = (c: Context): RequestRejectedError | undefined => {
    const event = eventOf(c);
    return event === undefined ? undefined : refusals.get(event);
  };
  const handleApp = handle(createApp({ writer: out, options: config, log, clientIp: lambdaClientIp(config.trustedProxies), frontEndBody, frontEndRefusal }));
  return async (event, context) => {
    // An event of no supported front end fails the invocation here, before it could be routed.
    const frontEnd = frontEndOf(event);
    const shaped = documentedShape(event);
    const routed = withRoutedPath(shaped.event, config.basePath);
    const body = shaped.undecodable ? undecodableBody() : lambdaBodyOf(routed, frontEnd);
    if (body !== undefined) bodies.set(routed, body);
    if (shaped.conflict) refusals.set(routed, shaped.conflict);
    return handleApp(routed, context);
  };
}
