import { readFileSync } from 'node:fs';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLambdaHandler, createMemoryWriter, type BatchResponse, type ServerContext } from '../src';
import { batch, decode, event, gzip } from './helpers';

/**
 * The Lambda entry behind each AWS front end an operator may put before it, with events shaped as
 * AWS documents them:
 * - REST API Lambda proxy integration (payload 1.0): docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * - HTTP API payload 1.0 and 2.0: docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *   (a named stage's segment stays in the path: `/prod/v1/batch`)
 * - Lambda function URL: docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads (stage `$default`)
 * - ALB target group: docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#receive-event-from-load-balancer
 *   (no source IP: the client is the last X-Forwarded-For entry; text/JSON bodies passed as text, others base64)
 * - custom domain base paths: docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html and
 *   http-api-mappings.html (a REST API's and payload 1.0's `path` keep the base path / mapping key; payload
 *   2.0's `rawPath` leaves it out, per the HTTP API page above)
 */
type AnyEvent = { body?: string | null; isBase64Encoded?: boolean; path?: string; rawPath?: string; headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]>; requestContext?: unknown; [field: string]: unknown };

const load = (name: string): AnyEvent => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as AnyEvent;
const rest = load('rest-v1-post.json');
const httpV1 = load('http-api-v1-post-named-stage.json');
const httpV2 = load('apigw-v2-post.json');
const functionUrl = load('function-url-post.json');
const alb = load('alb-post.json');

const context = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'ingest' } as LambdaContext;
const env = { INGEST_WRITE_KEYS: 'wk_test_123=shop', INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example' };

function withBody<E extends AnyEvent>(e: E, body: string): E {
  return { ...e, body, isBase64Encoded: false };
}

/** The IP the stored event carries (anonymised to its /24). */
function storedIp(writer: ReturnType<typeof createMemoryWriter>): string | undefined {
  const stored = decode(writer.records.get('events')![0]!.data) as { context: { server: ServerContext } };
  return stored.context.server.ip;
}

async function post(handler: ReturnType<typeof createLambdaHandler>, e: AnyEvent) {
  const result = await handler(e as unknown as LambdaEvent, context);
  return { ...result, json: JSON.parse(result.body) as BatchResponse & { error?: { code: string; message: string } } };
}

describe('Lambda entry: every supported front end stores the batch with the client’s address', () => {
  const cases: [string, AnyEvent][] = [
    ['REST API proxy integration, stage prod (payload 1.0)', rest],
    ['HTTP API payload 1.0, named stage prod (/prod/v1/batch)', httpV1],
    ['HTTP API payload 2.0, $default stage', httpV2],
    ['function URL', functionUrl],
    ['ALB target group', alb],
  ];
  for (const [name, fixture] of cases) {
    it(name, async () => {
      const writer = createMemoryWriter();
      const handler = createLambdaHandler(env, writer);
      const answer = await post(handler, withBody(fixture, batch([event()])));
      expect(answer.statusCode).toBe(200);
      expect(answer.json).toMatchObject({ accepted: 1, rejected: 0 });
      expect(storedIp(writer)).toBe('198.51.100.0');
      // CORS on the answer, in the header form the front end reads back (REST and ALB multi-value: multiValueHeaders).
      const headers = { ...answer.headers, ...Object.fromEntries(Object.entries(answer.multiValueHeaders ?? {}).map(([k, v]) => [k, (v as string[])[0]])) };
      expect(headers['access-control-allow-origin']).toBe('https://shop.example');
    });
  }

  it('ALB: the client is the last X-Forwarded-For entry (the one the ALB appended), not what the client wrote before it', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler({ ...env, INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '1', INGEST_CLIENT_RATE_LIMIT_BURST: '1' }, writer);
    const spoofed = (claimed: string): AnyEvent => withBody({ ...alb, headers: { ...alb.headers!, 'x-forwarded-for': `${claimed}, 198.51.100.23` } }, batch([event()]));
    expect((await post(handler, spoofed('203.0.113.9'))).statusCode).toBe(200);
    expect(storedIp(writer)).toBe('198.51.100.0');
    // The same client under another claimed address is the same client: its per-address bucket is spent.
    expect((await post(handler, spoofed('192.0.2.44'))).statusCode).toBe(429);
  });

  it('ALB with multi-value headers on: the address and the key are read from multiValueHeaders, the answer given in them', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const multiValueHeaders = Object.fromEntries(Object.entries(alb.headers!).map(([k, v]) => [k, [v]]));
    const answer = await post(handler, withBody({ ...alb, headers: undefined, multiValueHeaders }, batch([event()])));
    expect(answer.statusCode).toBe(200);
    expect(answer.multiValueHeaders?.['access-control-allow-origin']).toEqual(['https://shop.example']);
    expect(storedIp(writer)).toBe('198.51.100.0');
  });
});

describe('Lambda entry: stage and custom-domain base path', () => {
  it('a custom domain’s base path (REST base path mapping `ingest`) is cut with INGEST_BASE_PATH, and only then', async () => {
    const viaDomain: AnyEvent = withBody({ ...rest, path: '/ingest/v1/batch' }, batch([event()]));
    const without = await post(createLambdaHandler(env, createMemoryWriter()), viaDomain);
    expect(without.statusCode).toBe(404);
    const writer = createMemoryWriter();
    const handler = createLambdaHandler({ ...env, INGEST_BASE_PATH: '/ingest' }, writer);
    expect((await post(handler, viaDomain)).statusCode).toBe(200);
    // The execute-api endpoint (no base path) still routes.
    expect((await post(handler, withBody(rest, batch([event()])))).statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(2);
  });

  // AWS: "If you use an API mapping to connect your stage to a custom domain name, rawPath won't provide the
  // API mapping value. Use format 1.0 and the path to access the API mapping" (http-api-develop-integrations-lambda.html).
  it('an HTTP API mapping key (`collect/v2`): payload 1.0 keeps it in `path` (cut with INGEST_BASE_PATH), payload 2.0 leaves it out of rawPath', async () => {
    const viaDomainV1: AnyEvent = withBody({ ...httpV1, path: '/collect/v2/v1/batch', requestContext: { ...(httpV1.requestContext as object), domainName: 'api.shop.example', path: '/collect/v2/v1/batch' } }, batch([event()]));
    const viaDomainV2: AnyEvent = { ...withBody(httpV2, batch([event()])), requestContext: { ...(httpV2.requestContext as object), domainName: 'api.shop.example' } };
    const plain = createLambdaHandler(env, createMemoryWriter());
    expect((await post(plain, viaDomainV1)).statusCode).toBe(404);
    expect((await post(plain, viaDomainV2)).statusCode).toBe(200);
    const writer = createMemoryWriter();
    const handler = createLambdaHandler({ ...env, INGEST_BASE_PATH: 'collect/v2/' }, writer);
    expect((await post(handler, viaDomainV1)).statusCode).toBe(200);
    expect((await post(handler, viaDomainV2)).statusCode).toBe(200); // nothing to cut: routed as it is
    expect(writer.records.get('events')).toHaveLength(2);
  });

  it('HTTP API payload 1.0 on a named stage: without the stage cut, /prod/v1/batch is not found', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    // The same path on a REST API's event (no `version`) is the resource path as it is: not cut.
    const restWithStagePath = await post(handler, withBody({ ...rest, path: '/prod/v1/batch' }, batch([event()])));
    expect(restWithStagePath.statusCode).toBe(404);
    expect((await post(handler, withBody(httpV1, batch([event()])))).statusCode).toBe(200);
  });
});

describe('Lambda entry: bodies', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a base64 gzip body through a REST API with binary media types */* is taken', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const body = Buffer.from(gzip(batch([event()]))).toString('base64');
    const headers = { ...rest.headers!, 'Content-Encoding': 'gzip' };
    const answer = await post(handler, { ...rest, headers, multiValueHeaders: undefined, body, isBase64Encoded: true });
    expect(answer.statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(1);
  });

  const mangled = Buffer.from(gzip(batch([event()]))).toString('utf8'); // what a front end's UTF-8 read of the bytes leaves
  const restAltered: AnyEvent = { ...rest, headers: { ...rest.headers!, 'Content-Encoding': 'gzip' }, multiValueHeaders: { ...rest.multiValueHeaders!, 'Content-Encoding': ['gzip'] }, body: mangled, isBase64Encoded: false };
  const albAltered: AnyEvent = { ...alb, headers: { ...alb.headers!, 'content-encoding': 'gzip' }, body: mangled, isBase64Encoded: false };
  // 400 `invalid_encoding` before: final for the SDK and for Segment's Android libraries (the batch deleted).
  const altered: [string, AnyEvent, number, string, string, RegExp][] = [
    ['REST API without binary media types: 500, resent later (a setting fixes it)', restAltered, 500, 'internal_error', 'error', /binary media type \*\/\*/],
    ['ALB (a JSON body is passed as text): 415, which the SDK answers by resending as plain JSON', albAltered, 415, 'unsupported_encoding', 'warn', /HTTP API or a function URL/],
  ];
  for (const [name, e, status, code, level, fix] of altered) {
    it(`a gzip body a front end passed as text is answered with the fix and logged: ${name}`, async () => {
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
      const writer = createMemoryWriter();
      const answer = await post(createLambdaHandler(env, writer), e);
      expect(answer.statusCode).toBe(status);
      expect(answer.json.error).toMatchObject({ code });
      expect(answer.json.error?.message).toMatch(/gzip body arrived as text/);
      expect(answer.json.error?.message).toMatch(fix);
      expect(writer.records.get('events') ?? []).toHaveLength(0);
      const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; error?: string });
      expect(logged).toContainEqual(expect.objectContaining({ level, msg: 'request not served: the deployment altered it', error: expect.stringMatching(fix) as unknown }));
    });
  }

  it('the same events sent again as plain JSON through the ALB (what the SDK does after the 415) are stored', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    expect((await post(handler, albAltered)).statusCode).toBe(415);
    expect((await post(handler, withBody(alb, batch([event()])))).statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(1);
  });
});

describe('Lambda entry: events that are no request of a supported front end fail the invocation, saying so', () => {
  const handler = createLambdaHandler(env, createMemoryWriter());
  const cases: [string, unknown, RegExp][] = [
    ['a console test invoke ({})', {}, /an empty event/],
    ['Kinesis records wired to the ingest by mistake', { Records: [{ kinesis: { data: '' } }] }, /the processor handles those/],
    ['a VPC Lattice event', { method: 'POST', path: '/v1/batch', headers: {}, requestContext: { serviceArn: 'arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0123' } }, /VPC Lattice/],
  ];
  for (const [name, e, why] of cases) {
    it(name, async () => {
      const outcome = handler(e as LambdaEvent, context);
      await expect(outcome).rejects.toMatchObject({ name: 'UnsupportedLambdaEventError' });
      await expect(outcome).rejects.toThrow(why);
    });
  }
});
