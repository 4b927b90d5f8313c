import { Hono, type Context } from 'hono';
import { APP_OPTION_DEFAULTS, appOptionsProblems } from './app-options-check';
import { ConfigError } from './config';
import { DeploymentError, RequestRejectedError } from './errors';
import { clientIpOnce, type ClientIpVariables } from './http/client-ip-once';
import type { LambdaBody } from './http/lambda-body';
import { throttledCount } from './http/throttled-count';
import type { IpMode } from './http/client-ip';
import { createMetrics, type IngestMetrics } from './http/metrics';
import { compileOrigins, type OriginMatcher } from './http/origins';
import { createParseBudget } from './http/parse-budget';
import { parseBody, type BodyCap, type ParsedBody } from './http/read-body';
import { rejectRequest, type RejectionVariables } from './http/rejection';
import type { RecordWriter } from './kinesis/record-writer';
import { accessLog } from './middleware/access-log';
import { writeKeyAuth, type AuthVariables } from './middleware/auth';
import { bodySizeLimit, incompleteBody } from './middleware/body-size';
import { cors } from './middleware/cors';
import { nosniff } from './middleware/nosniff';
import { clientRateLimit, rateLimit } from './middleware/rate-limit';
import { requestId, type RequestIdVariables } from './middleware/request-id';
import { batchRoute } from './routes/batch';
import { healthRoutes } from './routes/health';
import { requestFacts } from './routes/request-facts';
import { SEGMENT_TYPES, segmentRoute } from './routes/segment';
import { createKeyLookup, type WriteKeyEntry } from './write-keys';

/** Bodies altered in transit: one log line at once, then at most one count per this interval (as the Node entry's refused connections). */
const ALTERED_LOG_INTERVAL_MS = 10_000;

export interface AppOptions {
  streamName: string;
  badRowsStreamName: string;
  writeKeys: WriteKeyEntry[];
  /** Browser origins allowed per app_id (patterns, see origins.ts); apps not listed allow none. */
  allowedOrigins?: Record<string, string[]>;
  maxBodyBytes: number;
  maxDecompressedBytes?: number;
  maxEventBytes: number;
  maxBatchEvents?: number;
  /** Messages per Segment-shaped batch (`{ batch: [...] }`); default 1000, at most 6,490 (answer-bound.ts). */
  maxSegmentBatchEvents?: number;
  maxDepth?: number;
  /** Bytes of bodies being decoded and parsed at once, across requests (inflated size for gzip); past it 503 `parsing_busy`. Default 128 MiB. */
  maxParsingBytes?: number;
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
  /** Requests per second per client address (IPv6: per /64), ahead of auth and the body; 0 or absent: off. */
  clientRateLimitPerSecond?: number;
  clientRateLimitBurst?: number;
  ipMode?: IpMode;
  /** Log every request, not only those answered 4xx/5xx. */
  logAllRequests?: boolean;
  /** `false`: no GET /metrics and nothing measured (INGEST_METRICS=off). Default on. */
  metrics?: boolean;
}

export interface AppDeps {
  writer: RecordWriter;
  options: AppOptions;
  now?: () => Date;
  log?: (record: Record<string, unknown>) => void;
  /** The peer address as the runtime sees it (socket, API Gateway's sourceIp); anonymised before use. */
  clientIp?: (c: Context) => string | undefined;
  /** Told each request's id as it is given (the Node entry, to log it beside an answer of its own to that request). */
  onRequestId?: (c: Context, id: string) => void;
  /** Whether the runtime already answered this request (the Node entry's 408 for a body gone idle): its body, should the rest arrive, is not taken. */
  answeredByRuntime?: (c: Context) => boolean;
  /** The Lambda entry: what the event's body under a Content-Encoding is (already inflated by the front end, or altered on the way), or undefined. */
  frontEndBody?: (c: Context) => LambdaBody | undefined;
  /** The Lambda entry: a refusal its event already holds (a single-valued header sent with conflicting values), answered before anything reads a header. */
  frontEndRefusal?: (c: Context) => RequestRejectedError | undefined;
}

type Env = { Variables: AuthVariables & RequestIdVariables & RejectionVariables & ClientIpVariables & { jsonBody?: Promise<ParsedBody> } };

/**
 * The ingest as a Hono app. It knows no runtime: node.ts and lambda.ts wire it. Options the entries would
 * refuse at start are refused here too: a ConfigError listing every problem (app-options-check.ts).
 */
export function createApp(deps: AppDeps) {
  const { writer, options, now = () => new Date(), log = () => undefined } = deps;
  const problems = appOptionsProblems(options);
  if (problems.length > 0) throw new ConfigError(problems);
  const app = new Hono<Env>();
  // Decided here only: the Node entry counts its parser-level refusals through the app's `countRejection`.
  const metrics = options.metrics === false ? undefined : createMetrics(writer.stats?.bind(writer));
  if (metrics) app.use(metrics.middleware);
  app.use(nosniff(), requestId(deps.onRequestId), accessLog(log, options.logAllRequests));
  app.route('/', healthRoutes({ writer, streamName: options.streamName, registry: metrics?.registry, log }));

  const originsFor = originPolicy(options.allowedOrigins ?? {});
  const anyApp = compileOrigins(Object.values(options.allowedOrigins ?? {}).flat());
  app.use('/v1/*', cors({ allowed: anyApp, maxAgeSec: 600 }));
  const refusal = deps.frontEndRefusal;
  if (refusal) {
    app.use(async (c, next) => {
      const refused = refusal(c);
      if (refused) throw refused;
      await next();
    });
  }
  const readBody = bodyReader(options, deps.answeredByRuntime, deps.frontEndBody, (kind) => metrics?.lambdaBodies.labels({ kind }).inc());
  const limits = bodySizeLimit(options.maxBodyBytes);
  const auth = writeKeyAuth({ lookup: createKeyLookup(options.writeKeys), originsFor, readBody, maxBodyBytes: options.maxBodyBytes });
  const limited = rateLimit({ perSecond: options.rateLimitPerSecond ?? 0, burst: options.rateLimitBurst ?? 1 });
  // First on the traffic routes: a client over its share costs neither a key lookup nor a body read.
  const clientIp = clientIpOnce(deps.clientIp ?? (() => undefined));
  const perClient = clientRateLimit({ perSecond: options.clientRateLimitPerSecond ?? 0, burst: options.clientRateLimitBurst ?? 1, clientIp });
  const ingest = {
    writer,
    streamName: options.streamName,
    badRowsStreamName: options.badRowsStreamName,
    maxEventBytes: options.maxEventBytes,
    readBody,
    facts: requestFacts({ now, ipMode: options.ipMode ?? 'anonymize', clientIp }),
    events: metrics?.events,
    extrasDropped: metrics?.extrasDropped,
    log,
  };
  // analytics.js (analytics-next) posts to one-letter paths: its batching dispatcher to /b, and each
  // message to the first letter of its type (/t, /i, /p, /s, /a, /g). The legacy analytics-android (4.x)
  // posts its batches to /import (a 404 there and it deletes them); analytics-java 3.x to /import/, with the slash.
  app.on('POST', ['/v1/batch', '/v1/b', '/v1/import', '/v1/import/'], perClient, limits, auth, limited, batchRoute({ ...ingest, maxBatchEvents: options.maxBatchEvents ?? APP_OPTION_DEFAULTS.maxBatchEvents, maxSegmentBatchEvents: options.maxSegmentBatchEvents ?? APP_OPTION_DEFAULTS.maxSegmentBatchEvents, maxSharedContextCopyBytes: options.maxDecompressedBytes ?? APP_OPTION_DEFAULTS.maxDecompressedBytes }));
  for (const type of SEGMENT_TYPES) app.on('POST', [`/v1/${type}`, `/v1/${type.charAt(0)}`], perClient, limits, auth, limited, segmentRoute(type, ingest));

  app.notFound((c) => rejectRequest(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  // Anyone holding the public write key can send such bodies: the first is logged at once, then a count per interval.
  let lastAltered = '';
  const logAlteredCount = throttledCount(ALTERED_LOG_INTERVAL_MS, (requests) =>
    log({ level: 'warn', msg: 'requests not served: the deployment altered their compressed bodies (answered 415 unsupported_encoding)', requests, interval_ms: ALTERED_LOG_INTERVAL_MS, error: lastAltered }),
  );
  const logAltered = (error: DeploymentError): void => {
    lastAltered = error.message;
    logAlteredCount();
  };
  app.onError((error, c) => {
    if (error instanceof RequestRejectedError) {
      if (error.retryAfterSec !== undefined) c.header('Retry-After', String(error.retryAfterSec));
      return rejectRequest(c, error.status, error.code, error.message, error.issues);
    }
    if (error instanceof DeploymentError) {
      logAltered(error);
      return rejectRequest(c, error.status, 'unsupported_encoding', `${error.message}; send the body uncompressed`);
    }
    log({ level: 'error', msg: 'unhandled error', error: String(error), request_id: c.get('requestId') });
    return rejectRequest(c, 500, 'internal_error', 'internal error; retry later');
  });
  /** Counts a request refused before the app saw it (the Node server's answers to bytes its parser refused); absent when metrics are off. */
  const countRejection: IngestMetrics['countRejection'] | undefined = metrics?.countRejection;
  return Object.assign(app, { countRejection });
}

export type IngestApp = ReturnType<typeof createApp>;

/**
 * Reads and parses the body once per request, however many middlewares ask for it. The whole body may
 * nest 256 levels (a stack guard for what follows: validation, bad rows); each event's own limit
 * (`LIMITS.eventMaxDepth`, 32) is checked per event, so one deep event does not sink its batch.
 */
function bodyReader(
  options: AppOptions,
  answeredByRuntime: (c: Context) => boolean = () => false,
  frontEndBody: (c: Context) => LambdaBody | undefined = () => undefined,
  count: (kind: 'decoded' | 'altered') => void = () => undefined,
) {
  const limits = {
    maxBodyBytes: options.maxBodyBytes,
    maxDecompressedBytes: options.maxDecompressedBytes ?? APP_OPTION_DEFAULTS.maxDecompressedBytes,
    maxDepth: options.maxDepth ?? APP_OPTION_DEFAULTS.maxDepth,
    budget: createParseBudget(options.maxParsingBytes ?? APP_OPTION_DEFAULTS.maxParsingBytes, options.maxBodyBytes),
  };
  return function readBody(c: Context, beforeAuth?: BodyCap): Promise<ParsedBody> {
    const cached = c.get('jsonBody') as Promise<ParsedBody> | undefined;
    if (cached) return cached;
    const body = frontEndBody(c);
    if (body?.kind === 'altered' || body?.kind === 'undecodable') {
      if (body.kind === 'altered') count('altered');
      const refused = Promise.reject(body.error);
      c.set('jsonBody', refused);
      return refused;
    }
    if (body?.kind === 'decoded') count('decoded');
    // Inflated by the front end, which kept the header: the bytes are the JSON itself.
    const encoding = body?.kind === 'decoded' ? undefined : c.req.header('content-encoding');
    const bytes = c.req.arrayBuffer().then(
      // The client was told 408 and will resend: what it sent after that is not taken (no duplicate, no hidden write).
      (buf) => (answeredByRuntime(c) ? Promise.reject(incompleteBody(new Error('the request was answered 408 before its body was complete'))) : buf),
      (error: unknown) => Promise.reject(incompleteBody(error)),
    );
    const cap = beforeAuth ? { ...limits, maxDecompressedBytes: Math.min(beforeAuth.maxDecompressedBytes, limits.maxDecompressedBytes), hint: beforeAuth.hint } : limits;
    const parsed = bytes.then((buf) => parseBody(new Uint8Array(buf), encoding, cap));
    c.set('jsonBody', parsed);
    return parsed;
  };
}

function originPolicy(allowed: Record<string, string[]>): (appId: string) => OriginMatcher {
  const matchers = new Map(Object.entries(allowed).map(([appId, patterns]) => [appId, compileOrigins(patterns)]));
  const none: OriginMatcher = () => false;
  return (appId) => matchers.get(appId) ?? none;
}
