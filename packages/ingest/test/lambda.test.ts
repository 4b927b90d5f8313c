import { readFileSync } from 'node:fs';
import type { ApiGatewayRequestContextV2, LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createMemoryWriter, type BatchResponse, type ServerContext } from '../src';
import { createLambdaHandler } from '../src';
import { apiGatewayGet, batch, decode, event, gzip, WRITE_KEY } from './helpers';

/** The API Gateway HTTP API (payload 2.0) event, as AWS sends it. */
type ApiEventV2 = Extract<LambdaEvent, { requestContext: ApiGatewayRequestContextV2 }>;

const fixture = JSON.parse(readFileSync(new URL('./fixtures/apigw-v2-post.json', import.meta.url), 'utf8')) as ApiEventV2;
// The same request to an HTTP API stage named `prod` on its execute-api endpoint: the stage is in the path.
const namedStage = JSON.parse(readFileSync(new URL('./fixtures/apigw-v2-post-named-stage.json', import.meta.url), 'utf8')) as ApiEventV2;
const context = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'ingest' } as LambdaContext;
const env = { INGEST_WRITE_KEYS: `${WRITE_KEY}=shop`, INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example' };

function apiEvent(body: string | Uint8Array, overrides: Partial<ApiEventV2> = {}): ApiEventV2 {
  const binary = typeof body !== 'string';
  return { ...fixture, body: binary ? Buffer.from(body).toString('base64') : body, isBase64Encoded: binary, ...overrides };
}

describe('Lambda handler (API Gateway HTTP API, payload v2)', () => {
  it('answers a batch with per-event statuses and anonymises API Gateway’s source IP', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const result = await handler(apiEvent(batch([event(), event({ seq: -1 })])), context);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['access-control-allow-origin']).toBe('https://shop.example');
    expect(JSON.parse(result.body) as BatchResponse).toMatchObject({ accepted: 1, rejected: 1 });
    const stored = decode(writer.records.get('events')![0]!.data) as { context: { server: ServerContext } };
    expect(stored.context.server.ip).toBe('198.51.100.0');
  });

  it('refuses a base64 gzip body of 8 KB inflating to 2.8M empty objects with 413 too_many_values, before parsing them (billed time)', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    const head = `{"sent_at":"${new Date().toISOString()}","events":[`;
    const bomb = gzip(`${head}${'{},'.repeat(Math.floor((8 * 1024 * 1024 - 1024 - head.length) / 3))}{}]}`);
    const res = await handler(apiEvent(bomb, { headers: { ...fixture.headers, 'content-encoding': 'gzip' } }), context);
    expect(res.statusCode).toBe(413);
    expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('too_many_values');
  });

  it('takes a base64 gzip body, and answers 401 and the CORS preflight like the Node server', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const gz = await handler(apiEvent(gzip(batch([event()])), { headers: { ...fixture.headers, 'content-encoding': 'gzip' } }), context);
    expect(gz.statusCode).toBe(200);
    const noKey = await handler(apiEvent(batch([event()]), { headers: { ...fixture.headers, authorization: '' } }), context);
    expect(noKey.statusCode).toBe(401);
    const preflight = await handler(
      apiEvent('', {
        requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method: 'OPTIONS' } },
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      }),
      context,
    );
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.['access-control-max-age']).toBe('600');
    // The app's own header, on API Gateway's answers too.
    for (const answer of [gz, noKey, preflight]) expect(answer.headers?.['x-content-type-options']).toBe('nosniff');
  });

  it('serves /metrics with the ingest and process metrics, and none with INGEST_METRICS=off', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    await handler(apiEvent(batch([event()])), context);
    const result = await handler(apiGatewayGet(fixture, '/metrics'), context);
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatch(/^eventline_ingest_events_total\{outcome="accepted"\} 1$/m);
    expect(result.body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(result.headers?.['x-content-type-options']).toBe('nosniff');
    const off = createLambdaHandler({ ...env, INGEST_METRICS: 'off' }, createMemoryWriter());
    expect((await off(apiGatewayGet(fixture, '/metrics'), context)).statusCode).toBe(404);
  });

  it('refuses to start with an invalid configuration, listing every problem', () => {
    expect(() => createLambdaHandler({ INGEST_MAX_BODY_BYTES: 'lots' })).toThrow(ConfigError);
  });
});

describe('Lambda handler behind a named API Gateway stage', () => {
  const preflightOf = (post: ApiEventV2): ApiEventV2 => ({
    ...post,
    body: '',
    headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    requestContext: { ...post.requestContext, http: { ...post.requestContext.http, method: 'OPTIONS' } },
  });

  it('routes /prod/v1/batch as /v1/batch: the POST is stored and the preflight answered', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const post = await handler({ ...namedStage, body: batch([event()]) }, context);
    expect(post.statusCode).toBe(200);
    expect(JSON.parse(post.body) as BatchResponse).toMatchObject({ accepted: 1, rejected: 0 });
    expect(writer.records.get('events')).toHaveLength(1);
    const preflight = await handler(preflightOf(namedStage), context);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.['access-control-allow-origin']).toBe('https://shop.example');
  });

  it('through a custom domain (stage `prod`, no stage in the path) routes the path as it is', async () => {
    const writer = createMemoryWriter();
    const handler = createLambdaHandler(env, writer);
    const requestContext = { ...namedStage.requestContext, domainName: 'collect.shop.example', domainPrefix: 'collect', http: { ...namedStage.requestContext.http, path: '/v1/batch' } };
    const viaDomain: ApiEventV2 = { ...namedStage, rawPath: '/v1/batch', requestContext, headers: { ...namedStage.headers, host: 'collect.shop.example' } };
    expect((await handler({ ...viaDomain, body: batch([event()]) }, context)).statusCode).toBe(200);
    expect((await handler(preflightOf(viaDomain), context)).statusCode).toBe(204);
    expect(writer.records.get('events')).toHaveLength(1);
  });

  it('cuts only a whole first segment: /production/v1/batch on stage `prod` is not found', async () => {
    const handler = createLambdaHandler(env, createMemoryWriter());
    const result = await handler({ ...namedStage, rawPath: '/production/v1/batch', body: batch([event()]) }, context);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'not_found', message: 'no route for POST /production/v1/batch' } });
  });
});

// The module's own `handler`, as the runtime loads it: a fresh import per test, the env stubbed.
describe('Lambda entry point (module-level handler)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function freshModule(stubs: Record<string, string | undefined>) {
    for (const [name, value] of Object.entries({ INGEST_WRITE_KEYS: undefined, INGEST_MAX_BODY_BYTES: undefined, INGEST_METRICS: undefined, AWS_LAMBDA_FUNCTION_NAME: undefined, ...stubs })) vi.stubEnv(name, value);
    vi.resetModules();
    return import('../src/lambda');
  }

  it('fails the Lambda init (the import) on a bad config, listing every problem', async () => {
    const loading = freshModule({ AWS_LAMBDA_FUNCTION_NAME: 'ingest', INGEST_MAX_BODY_BYTES: 'lots' });
    await expect(loading).rejects.toThrow(/invalid configuration:[\s\S]*INGEST_WRITE_KEYS[\s\S]*INGEST_MAX_BODY_BYTES/);
    await expect(loading).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it('the package root builds nothing on import, even in the runtime: a function of your own uses createLambdaHandler from there', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'my-own-function');
    vi.stubEnv('INGEST_WRITE_KEYS', undefined); // its config is not in process.env
    vi.resetModules();
    const root = await import('../src');
    const handler = root.createLambdaHandler(env, createMemoryWriter());
    expect((await handler(apiGatewayGet(fixture, '/healthz'), context)).statusCode).toBe(200);
  });

  it('builds the app once at init in the Lambda runtime: a later env change is not read', async () => {
    const { handler } = await freshModule({ AWS_LAMBDA_FUNCTION_NAME: 'ingest', ...env });
    vi.stubEnv('INGEST_METRICS', 'off');
    expect((await handler(apiGatewayGet(fixture, '/metrics'), context)).statusCode).toBe(200);
  });

  it('outside the runtime builds at the first call, and keeps a config error instead of re-reading the env', async () => {
    const { handler } = await freshModule({ INGEST_MAX_BODY_BYTES: 'lots' });
    const first = handler(apiGatewayGet(fixture, '/healthz'), context);
    await expect(first).rejects.toMatchObject({ name: 'ConfigError' });
    vi.stubEnv('INGEST_MAX_BODY_BYTES', undefined);
    vi.stubEnv('INGEST_WRITE_KEYS', env.INGEST_WRITE_KEYS);
    const again = await handler(apiGatewayGet(fixture, '/healthz'), context).catch((error: unknown) => error);
    expect(again).toBe(await first.catch((error: unknown) => error));
  });
});
