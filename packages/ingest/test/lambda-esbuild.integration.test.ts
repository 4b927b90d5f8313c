import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleFromReadme, invokeBundledHandler, readStream, recordJson, type ReadmeBundle } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse } from '../src';
import { batch, event } from './helpers';
import { lambdaEnv, startLambdaKinesis, type LambdaKinesis } from './lambda-support';

interface ProxyResult {
  statusCode: number;
  body: string;
}

// The README's "Deploying the Lambda" command, run as a consumer of the npm package runs it (the
// package's dist/lambda.js, resolved through its exports), and the bundle loaded alone.
describe('the README\'s esbuild command (the Lambda bundled from the npm package)', () => {
  let stack: LambdaKinesis;
  let built: ReadmeBundle;
  beforeAll(async () => {
    [stack, built] = await Promise.all([startLambdaKinesis(), bundleFromReadme(fileURLToPath(new URL('..', import.meta.url)))]);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await built?.cleanup();
  });

  it('bundles the package entry, with the createRequire banner', async () => {
    expect(built.command).toMatch(/^npx esbuild @eventline\/ingest\/lambda --bundle /);
    const code = await readFile(built.bundle, 'utf8');
    expect(code.startsWith("import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);")).toBe(true);
  });

  it('loads with no node_modules and writes an API Gateway batch to Kinesis', async () => {
    const fixture = JSON.parse(await readFile(new URL('./fixtures/apigw-v2-post.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const good = event({ anonymous_id: 'readme-bundle-device' });
    const result = await invokeBundledHandler<ProxyResult>({
      bundle: built.bundle,
      handlerName: 'handler',
      event: { ...fixture, body: batch([good]) },
      env: lambdaEnv(stack.kinesis.endpoint),
    });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body) as BatchResponse).toMatchObject({ accepted: 1, rejected: 0 });
    const stored = (await readStream(stack.client, 'events')).map(recordJson) as { event_id: string }[];
    expect(stored.map((e) => e.event_id)).toEqual([good.event_id]);
  });
});
