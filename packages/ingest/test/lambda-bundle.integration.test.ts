import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda, invokeBundledHandler, readStream, recordJson } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse } from '../src';
import { apiGatewayGet, batch, event, WRITE_KEY } from './helpers';
import { lambdaEnv, startLambdaKinesis, type LambdaKinesis } from './lambda-support';

interface ProxyResult {
  statusCode: number;
  body: string;
}

// What a deployment runs: `npm run bundle:lambda`'s single index.mjs, imported by a plain Node
// process in a folder with no node_modules, called with API Gateway's event.
describe('the bundled Lambda (npm run bundle:lambda)', () => {
  let stack: LambdaKinesis;
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventline-ingest-lambda-'));
    [stack, bundle] = await Promise.all([
      startLambdaKinesis(),
      bundleLambda({ entry: new URL('../src/lambda.ts', import.meta.url).pathname, outdir: dir }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships every bundled package\'s licence next to the code', async () => {
    const notice = await readFile(join(dir, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const name of ['hono', '@aws-sdk/client-kinesis', 'prom-client', '@smithy/node-http-handler']) expect(notice).toContain(`\n${name}@`);
    expect(notice).toContain('Apache License');
    expect(notice).toContain('Permission is hereby granted, free of charge'); // MIT's text, not only its name
    expect(notice).not.toContain('@eventline/'); // our own workspace packages are not third-party
  });

  it('loads as an ES module without node_modules and writes an API Gateway batch to Kinesis', async () => {
    const fixture = JSON.parse(await readFile(new URL('./fixtures/apigw-v2-post.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const good = event({ anonymous_id: 'bundle-device' });
    const result = await invokeBundledHandler<ProxyResult>({
      bundle,
      handlerName: 'handler',
      event: { ...fixture, body: batch([good, event({ seq: -1 })]) },
      env: lambdaEnv(stack.kinesis.endpoint),
    });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body) as BatchResponse).toMatchObject({ accepted: 1, rejected: 1 });
    const stored = (await readStream(stack.client, 'events')).map(recordJson) as { event_id: string; context: { server: { ip: string } } }[];
    expect(stored.map((e) => e.event_id)).toEqual([good.event_id]);
    expect(stored[0]!.context.server.ip).toBe('198.51.100.0');
    expect(await readStream(stack.client, 'events-bad')).toHaveLength(1);
  });

  // The other front ends (fixtures and their AWS doc pages: lambda-front-ends.test.ts), through what a deployment runs.
  it('writes batches from an ALB and from a REST API behind a custom domain base path (INGEST_BASE_PATH), each with its client address', async () => {
    const load = async (name: string) => JSON.parse(await readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown> & { headers: Record<string, string> };
    const alb = await load('alb-post.json');
    const rest = await load('rest-v1-post.json');
    const viaAlb = event({ anonymous_id: 'alb-device' });
    const viaRest = event({ anonymous_id: 'rest-device' });
    const env = { ...lambdaEnv(stack.kinesis.endpoint), INGEST_BASE_PATH: '/ingest' };
    const albEvent = { ...alb, headers: { ...alb.headers, 'x-forwarded-for': '203.0.113.9, 192.0.2.77' }, body: batch([viaAlb]) };
    const restEvent = { ...rest, path: '/ingest/v1/batch', body: batch([viaRest]) };
    for (const sent of [albEvent, restEvent]) {
      const result = await invokeBundledHandler<ProxyResult>({ bundle, handlerName: 'handler', event: sent, env });
      expect(result.statusCode).toBe(200);
    }
    const stored = (await readStream(stack.client, 'events')).map(recordJson) as { event_id: string; context: { server: { ip: string } } }[];
    const ipOf = (id: string) => stored.find((e) => e.event_id === id)?.context.server.ip;
    expect(ipOf(viaAlb.event_id)).toBe('192.0.2.0');
    expect(ipOf(viaRest.event_id)).toBe('198.51.100.0');
  }, 30_000);

  // invokeBundledHandler waits for the process to exit: a timer left running (prom-client's default
  // metrics, the writer) would hold it and fail the test on its timeout.
  it('serves /metrics with the process metrics, and leaves nothing running that keeps the process alive', async () => {
    const fixture = JSON.parse(await readFile(new URL('./fixtures/apigw-v2-post.json', import.meta.url), 'utf8')) as Parameters<typeof apiGatewayGet>[0];
    const result = await invokeBundledHandler<ProxyResult>({
      bundle,
      handlerName: 'handler',
      event: apiGatewayGet(fixture, '/metrics'),
      env: { INGEST_WRITE_KEYS: `${WRITE_KEY}=shop`, KINESIS_ENDPOINT: stack.kinesis.endpoint, AWS_REGION: 'us-east-1' },
    });
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatch(/^eventline_ingest_events_total\{outcome="retry"\} 0$/m);
    expect(result.body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(result.body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  }, 20_000);

  it('fails its init on a bad config: the import alone throws, listing every problem', async () => {
    // No handler is asked for (a name the bundle does not export): only the import can fail with the config's error.
    const loading = invokeBundledHandler({ bundle, handlerName: 'notCalled', event: {}, env: { AWS_LAMBDA_FUNCTION_NAME: 'ingest', INGEST_LINGER_MS: '-1' } });
    await expect(loading).rejects.toThrow(/ConfigError: invalid configuration:[\s\S]*INGEST_WRITE_KEYS[\s\S]*INGEST_LINGER_MS/);
  }, 20_000);
});
