import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { errorBody } from './errors';
import type { RecordWriter } from './kinesis/record-writer';
import { writeKeyAuth, type AuthVariables } from './middleware/auth';
import { batchRoute } from './routes/batch';
import { createKeyLookup, type WriteKeyEntry } from './write-keys';

export interface AppOptions {
  streamName: string;
  badRowsStreamName: string;
  writeKeys: WriteKeyEntry[];
  maxBodyBytes: number;
  maxEventBytes: number;
}

export interface AppDeps {
  writer: RecordWriter;
  options: AppOptions;
  now?: () => Date;
  log?: (record: Record<string, unknown>) => void;
}

/** The ingest as a Hono app. It knows no runtime: node.ts (and later lambda.ts) wire it. */
export function createApp({ writer, options, now = () => new Date(), log = () => undefined }: AppDeps) {
  const app = new Hono<{ Variables: AuthVariables & { requestId: string } }>();
  app.use(requestId());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await writer.ping(options.streamName);
      return c.json({ status: 'ready' });
    } catch (error) {
      log({ level: 'warn', msg: 'readiness check failed', error: String(error) });
      return c.json(errorBody('queue_unavailable', 'Kinesis stream is not reachable'), 503);
    }
  });

  app.use(
    '/v1/*',
    cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }),
  );
  app.post(
    '/v1/batch',
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) => c.json(errorBody('body_too_large', `request body is over the ${options.maxBodyBytes}-byte limit`), 413),
    }),
    writeKeyAuth(createKeyLookup(options.writeKeys)),
    batchRoute({
      writer,
      streamName: options.streamName,
      badRowsStreamName: options.badRowsStreamName,
      maxEventBytes: options.maxEventBytes,
      now,
    }),
  );

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    log({ level: 'error', msg: 'unhandled error', error: String(error), request_id: c.get('requestId') });
    return c.json(errorBody('internal_error', 'internal error; retry later', undefined, c.get('requestId')), 500);
  });
  return app;
}

export type IngestApp = ReturnType<typeof createApp>;
