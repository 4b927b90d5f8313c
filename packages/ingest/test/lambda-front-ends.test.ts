import { brotliCompressSync } from 'node:zlib';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLambdaHandler, createMemoryWriter, type BatchResponse, type ServerContext } from '../src';
import { batch, decode, event, gzip } from './helpers';
import { LAMBDA_CONTEXT, LAMBDA_TEST_ENV, loadFixture } from './lambda-fixtures';

/**
 * The Lambda entry behind each AWS front end an operator may put before it, with events shaped as
 * AWS documents them:
 * - REST API Lambda proxy integration (payload 1.0): docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * - HTTP API payload 1.0 and 2.0: docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *   (a named stage's segment stays in the path: `/prod/v1/batch`)
 * - Lambda function URL: docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads (stage `$default`)
 * - ALB target group: docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#receive-event-from-load-balancer
 *   (no source IP: the client is the last X-Forwarded-For entry, or INGEST_TRUSTED_PROXIES from the end; text/JSON bodies
 *   passed as text, others and any body with a Content-Encoding base64-encoded)
 * - compressed bodies through API Gateway: docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-make-request-with-compressed-payload.html
 *   (API Gateway inflates the body before invoking; the Content-Encoding header stays)
 * - custom domain base paths: docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html and
 *   http-api-mappings.html (a REST API's and payload 1.0's `path` keep the base path / mapping key; payload
 *   2.0's `rawPath` leaves it out, per the HTTP API page above)
 */
type AnyEvent = { body?: string | null; isBase64Encoded?: boolean; path?: string; rawPath?: string; headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]>; requestContext?: unknown; [field: string]: unknown };

const load = (name: string): AnyEvent => loadFixture<AnyEvent>(name);
const rest = load('rest-v1-post.json');
const httpV1 = load('http-api-v1-post-named-stage.json');
const httpV2 = load('apigw-v2-post.json');
const functionUrl = load('function-url-post.json');
const alb = load('alb-post.json');

const context = LAMBDA_CONTEXT;
const env = LAMBDA_TEST_ENV;

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

describe('Lambda entry: the ALB client address with proxies before the ALB, and X-Forwarded-For on several lines', () => {
  const stored = async (envExtra: Record<string, string>, e: AnyEvent): Promise<string | undefined> => {
    const writer = createMemoryWriter();
    expect((await post(createLambdaHandler({ ...env, ...envExtra }, writer), e)).statusCode).toBe(200);
    return storedIp(writer);
  };
  // CloudFront appends the viewer's address, the ALB then CloudFront's edge: "client, edge".
  const behindCloudFront = withBody({ ...alb, headers: { ...alb.headers!, 'x-forwarded-for': '203.0.113.9, 198.51.100.23, 130.176.1.1' } }, batch([event()]));

  it('INGEST_TRUSTED_PROXIES=2 (CloudFront before the ALB): the client is the entry CloudFront appended, not the edge', async () => {
    expect(await stored({ INGEST_TRUSTED_PROXIES: '2' }, behindCloudFront)).toBe('198.51.100.0');
    // Unset (or 1): the ALB alone, its entry is the last one.
    expect(await stored({}, behindCloudFront)).toBe('130.176.1.0');
    expect(await stored({ INGEST_TRUSTED_PROXIES: '1' }, behindCloudFront)).toBe('130.176.1.0');
  });

  it('behind CloudFront, clients are told apart by their own address: one client over its limit leaves the next one served', async () => {
    const handler = createLambdaHandler({ ...env, INGEST_TRUSTED_PROXIES: '2', INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '1', INGEST_CLIENT_RATE_LIMIT_BURST: '1' }, createMemoryWriter());
    const from = (client: string): AnyEvent => withBody({ ...alb, headers: { ...alb.headers!, 'x-forwarded-for': `${client}, 130.176.1.1` } }, batch([event()]));
    expect((await post(handler, from('198.51.100.23'))).statusCode).toBe(200);
    expect((await post(handler, from('198.51.100.23'))).statusCode).toBe(429);
    expect((await post(handler, from('192.0.2.44'))).statusCode).toBe(200);
  });

  it('X-Forwarded-For written on two lines: with multi-value headers the lines are joined in order; without, the ALB passes the last line', async () => {
    const lines = ['203.0.113.9', '198.51.100.23, 130.176.1.1'];
    const multiValueHeaders = { ...Object.fromEntries(Object.entries(alb.headers!).map(([k, v]) => [k, [v]])), 'x-forwarded-for': lines };
    const multi = withBody({ ...alb, headers: undefined, multiValueHeaders }, batch([event()]));
    expect(await stored({ INGEST_TRUSTED_PROXIES: '2' }, multi)).toBe('198.51.100.0');
    expect(await stored({ INGEST_TRUSTED_PROXIES: '3' }, multi)).toBe('203.0.113.0');
    expect(await stored({}, multi)).toBe('130.176.1.0');
    const single = withBody({ ...alb, headers: { ...alb.headers!, 'x-forwarded-for': lines[1]! } }, batch([event()]));
    expect(await stored({ INGEST_TRUSTED_PROXIES: '2' }, single)).toBe('198.51.100.0');
    expect(await stored({}, single)).toBe('130.176.1.0');
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

  it('a stage named like the app\'s first segment (`v1`) through a custom domain: no stage segment there, nothing cut', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    const v1Stage = (e: AnyEvent, path: Record<string, string>, domainName: string, domainPrefix: string): AnyEvent =>
      withBody({ ...e, ...path, requestContext: { ...(e.requestContext as object), stage: 'v1', domainName, domainPrefix } }, batch([event()]));
    expect((await post(handler, v1Stage(httpV1, { path: '/v1/batch' }, 'api.shop.example', 'api'))).statusCode).toBe(200);
    expect((await post(handler, v1Stage(httpV2, { rawPath: '/v1/batch' }, 'api.shop.example', 'api'))).statusCode).toBe(200);
    // On the execute-api host the stage segment is there and is cut.
    expect((await post(handler, v1Stage(httpV1, { path: '/v1/v1/batch' }, 'abcdef1234.execute-api.eu-west-1.amazonaws.com', 'abcdef1234'))).statusCode).toBe(200);
  });

  it('HTTP API payload 1.0 on a named stage: without the stage cut, /prod/v1/batch is not found', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    // The same path on a REST API's event (no `version`) is the resource path as it is: not cut.
    const restWithStagePath = await post(handler, withBody({ ...rest, path: '/prod/v1/batch' }, batch([event()])));
    expect(restWithStagePath.statusCode).toBe(404);
    expect((await post(handler, withBody(httpV1, batch([event()])))).statusCode).toBe(200);
  });
});

describe('Lambda entry: compressed bodies, judged from their bytes', () => {
  afterEach(() => vi.restoreAllMocks());

  const gzipped = (): Buffer => Buffer.from(gzip(batch([event()])));
  const withEncoding = (e: AnyEvent, name: string, body: string, isBase64Encoded: boolean): AnyEvent => ({
    ...e,
    headers: { ...e.headers!, [name]: 'gzip' },
    ...(e.multiValueHeaders ? { multiValueHeaders: { ...e.multiValueHeaders, [name]: ['gzip'] } } : {}),
    body,
    isBase64Encoded,
  });
  const metricsOf = async (handler: ReturnType<typeof createLambdaHandler>): Promise<string> =>
    (await handler({ ...withBody(rest, ''), httpMethod: 'GET', path: '/metrics', body: null } as unknown as LambdaEvent, context)).body;

  // AWS: "it attempts to decompress the payload with the specified content coding. If the decompression is
  // successful, it dispatches the request to the integration endpoint" (api-gateway-make-request-with-compressed-payload):
  // the function gets the JSON as text, Content-Encoding: gzip still set, isBase64Encoded false
  // (dougmoscrop/serverless-http#194). Answered 500 before, which the SDK retried for days.
  it('REST API: a gzip body API Gateway already inflated (plain JSON, header kept) is stored, counted, and logs nothing', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const answer = await post(handler, withEncoding(rest, 'Content-Encoding', batch([event()]), false));
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({ accepted: 1, rejected: 0 });
    expect(writer.records.get('events')).toHaveLength(1);
    expect(lines.map((l) => JSON.parse(l) as { level: string }).filter((l) => l.level !== 'info')).toEqual([]);
    expect(await metricsOf(handler)).toMatch(/eventline_ingest_lambda_encoded_bodies_total\{kind="decoded"\} 1/);
  });

  it('REST API: a body API Gateway inflated is held to INGEST_MAX_BODY_BYTES as it arrives (inflated), whatever Content-Length says', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler({ ...env, INGEST_MAX_BODY_BYTES: '1024', INGEST_MAX_DECOMPRESSED_BYTES: '2048' }, writer);
    const big = batch(Array.from({ length: 10 }, () => event()));
    expect(Buffer.byteLength(big)).toBeGreaterThan(2048);
    // Should API Gateway pass on the client's Content-Length (the compressed size, under the limit), the body's own size still counts.
    const compressedLength = String(gzip(big).byteLength);
    const e = withEncoding(rest, 'Content-Encoding', big, false);
    const answer = await post(handler, { ...e, headers: { ...e.headers!, 'Content-Length': compressedLength }, multiValueHeaders: { ...e.multiValueHeaders!, 'Content-Length': [compressedLength] } });
    expect(answer.statusCode).toBe(413);
    expect(answer.json.error).toMatchObject({ code: 'body_too_large' });
    expect(writer.records.get('events') ?? []).toHaveLength(0);
  });

  // Binary media types */* on a REST API hand the body over base64-encoded: the gzip bytes, or API Gateway's inflated JSON.
  it('REST API with binary media types */*: base64 gzip bytes are inflated, base64 plain JSON taken as it is', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    expect((await post(handler, withEncoding(rest, 'Content-Encoding', gzipped().toString('base64'), true))).statusCode).toBe(200);
    expect((await post(handler, withEncoding(rest, 'Content-Encoding', Buffer.from(batch([event()])).toString('base64'), true))).statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(2);
  });

  // AWS's ALB page: a body with a Content-Encoding is Base64-encoded, isBase64Encoded true (lambda-functions.html).
  it('ALB: a gzip body comes base64-encoded (isBase64Encoded true) and is stored, in both header modes', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const single = withEncoding(alb, 'content-encoding', gzipped().toString('base64'), true);
    expect((await post(handler, single)).statusCode).toBe(200);
    const multiValueHeaders = Object.fromEntries(Object.entries(single.headers!).map(([k, v]) => [k, [v]]));
    expect((await post(handler, { ...single, headers: undefined, multiValueHeaders })).statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(2);
  });

  it('HTTP API payload 2.0 and function URL: a base64 gzip body is stored', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    for (const fixture of [httpV2, functionUrl]) expect((await post(handler, withEncoding(fixture, 'content-encoding', gzipped().toString('base64'), true))).statusCode).toBe(200);
    expect(writer.records.get('events')).toHaveLength(2);
  });

  // Only gzip, x-gzip and deflate are what a front end inflates (API Gateway: deflate, gzip). A brotli body of one
  // meta-block over 64 KiB starts with 0x5b `[`: taken as inflated JSON, it was answered 400, which the SDK drops.
  it('a brotli body that starts with `[` is answered 415 unsupported_encoding (the SDK resends plain JSON), not parsed as JSON', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const brotli = brotliCompressSync(batch(Array.from({ length: 400 }, () => event())));
    expect(brotli[0]).toBe(0x5b);
    for (const fixture of [httpV2, functionUrl, rest]) {
      const e = withEncoding(fixture, fixture === rest ? 'Content-Encoding' : 'content-encoding', brotli.toString('base64'), true);
      const encoded = { ...e, headers: { ...e.headers!, [fixture === rest ? 'Content-Encoding' : 'content-encoding']: 'br' }, ...(e.multiValueHeaders ? { multiValueHeaders: { ...e.multiValueHeaders, 'Content-Encoding': ['br'] } } : {}) };
      const answer = await post(handler, encoded);
      expect(answer.statusCode).toBe(415);
      expect(answer.json.error).toMatchObject({ code: 'unsupported_encoding' });
    }
    expect(writer.records.get('events') ?? []).toHaveLength(0);
    expect(await metricsOf(handler)).not.toMatch(/kind="decoded"\} [1-9]/);
  });

  it('plain JSON under deflate or x-gzip (inflated by the front end, header kept) is stored as under gzip', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    for (const coding of ['deflate', 'x-gzip', 'GZIP']) {
      const e = withEncoding(rest, 'Content-Encoding', batch([event()]), false);
      expect((await post(handler, { ...e, headers: { ...e.headers!, 'Content-Encoding': coding }, multiValueHeaders: { ...e.multiValueHeaders!, 'Content-Encoding': [coding] } })).statusCode).toBe(200);
    }
    expect(writer.records.get('events')).toHaveLength(3);
  });

  // What a UTF-8 read of the gzip bytes leaves: 1f EF BF BD … (8b is no UTF-8). No AWS front end documents
  // doing this; a proxy, emulator or harness that builds the event can. Nothing can restore the bytes.
  const mangled = gzipped().toString('utf8');
  const altered: [string, AnyEvent, RegExp][] = [
    ['REST API', withEncoding(rest, 'Content-Encoding', mangled, false), /a REST API inflates a gzip body itself/],
    ['HTTP API payload 1.0', withEncoding(httpV1, 'content-encoding', mangled, false), /an HTTP API \(payload 1\.0\) hands compressed bodies over base64-encoded/],
    ['HTTP API payload 2.0', withEncoding(httpV2, 'content-encoding', mangled, false), /an HTTP API \(payload 2\.0\) and a function URL/],
    ['ALB', withEncoding(alb, 'content-encoding', mangled, false), /an ALB is documented .* base64-encoded; if this ALB passes JSON or text bodies as they are, send compressed bodies through an HTTP API or a function URL/],
  ];
  for (const [name, e, why] of altered) {
    it(`${name}: a gzip body altered as text is answered 415 unsupported_encoding (the SDK resends plain JSON at once), saying why by front end`, async () => {
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      expect(mangled.charCodeAt(0)).toBe(0x1f);
      expect(mangled.charCodeAt(1)).toBe(0xfffd);
      const writer = createMemoryWriter();
      const answer = await post(createLambdaHandler(env, writer), e);
      expect(answer.statusCode).toBe(415);
      expect(answer.json.error).toMatchObject({ code: 'unsupported_encoding' });
      expect(answer.json.error?.message).toMatch(/gzip body arrived as text/);
      expect(answer.json.error?.message).toMatch(why);
      expect(writer.records.get('events') ?? []).toHaveLength(0);
    });
  }

  it('altered bodies: the first is logged at once with the fix, the next only counted (a throttled count), and metered', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const handler = createLambdaHandler(env, createMemoryWriter());
    for (let i = 0; i < 3; i++) expect((await post(handler, altered[3]![1])).statusCode).toBe(415);
    const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; requests?: number; error?: string }).filter((l) => /altered/.test(l.msg));
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', requests: 1, error: expect.stringMatching(/send compressed bodies through an HTTP API or a function URL/) as unknown })]);
    expect(await metricsOf(handler)).toMatch(/eventline_ingest_lambda_encoded_bodies_total\{kind="altered"\} 3/);
  });

  it('the same events sent again as plain JSON (what the SDK does after the 415) are stored', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    expect((await post(handler, altered[0]![1])).statusCode).toBe(415);
    expect((await post(handler, withBody(rest, batch([event()])))).statusCode).toBe(200);
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
