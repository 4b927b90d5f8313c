import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleFromReadme, invokeBundledHandler, type ReadmeBundle } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from '../src';
import { awsEvent, b64 } from './fixtures/aws-events';
import { storedEvent } from './fixtures/events';

// The README's "Deploying the Lambdas" command, run as a consumer of the npm package runs it (the
// package's dist/lambda.js, resolved through its exports), and the bundle loaded alone.
describe('the README\'s esbuild command (the Lambdas bundled from the npm package)', () => {
  let built: ReadmeBundle;
  beforeAll(async () => {
    built = await bundleFromReadme(fileURLToPath(new URL('..', import.meta.url)));
  }, 60_000);
  afterAll(async () => {
    await built?.cleanup();
  });

  it('bundles the package entry, with the createRequire banner', async () => {
    expect(built.command).toMatch(/^npx esbuild @eventline\/processor\/lambda --bundle /);
    const code = await readFile(built.bundle, 'utf8');
    expect(code.startsWith("import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);")).toBe(true);
  });

  it('loads with no node_modules, and firehoseHandler answers AWS\'s sample event plus a valid one', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sample = event.records[0]!;
    const stored = storedEvent();
    const sequenceNumber = `${sample.kinesisRecordMetadata!.sequenceNumber.slice(0, -1)}9`;
    event.records.push({ ...sample, recordId: 'valid', data: b64(stored), kinesisRecordMetadata: { ...sample.kinesisRecordMetadata!, sequenceNumber } });
    const result = await invokeBundledHandler<FirehoseTransformationResponse>({ bundle: built.bundle, handlerName: 'firehoseHandler', event, env: { AWS_REGION: 'us-east-1' } });
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      [sample.recordId, 'ProcessingFailed'],
      ['valid', 'Ok'],
    ]);
    expect(JSON.parse(Buffer.from(result.records[1]!.data, 'base64').toString('utf8'))).toMatchObject({ event_id: stored.event_id });
    expect(result.records[1]!.metadata?.partitionKeys.app_id).toBe('shop');
  });
});
