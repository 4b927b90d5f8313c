import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, kinesisClientConfig, KINESIS_ENGINES, startKinesis, type KinesisEmulator, waitFor } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());


describe.each(KINESIS_ENGINES)('node entry against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let processor: Running | undefined;

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: 'clicks', shards: 2 }]);
  });

  afterAll(async () => {
    if (processor && processor.child.exitCode === null) {
      processor.child.kill('SIGKILL');
      await processor.exited;
    }
    await kinesis?.stop();
  });

  it('reads env, prints a ready line, delivers, and exits 0 on SIGTERM', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    processor = runEntry('src/node.ts', [], {
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: 'clicks',
      LAKE_DIR: lakeDir,
      CHECKPOINT_FILE: join(dir, 'cp.json'),
      BUFFER_MAX_MS: '1000',
    });
    const running = processor;
    await waitFor('the ready line', () => running.stdout().includes('\n') || running.child.exitCode !== null);
    expect(JSON.parse(running.stdout().split('\n')[0] ?? '')).toMatchObject({ event: 'ready', service: 'processor', stream: 'clicks', lake_dir: lakeDir });

    const producer = new KinesisClient(kinesisClientConfig(kinesis.endpoint));
    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2' }), storedEvent({ anonymous_id: 'dev-3' })];
    try {
      await producer.send(
        new PutRecordsCommand({ StreamName: 'clicks', Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }),
      );
    } finally {
      producer.destroy();
    }
    const count = async (): Promise<unknown> => (await runQuery(lakeDir, 'SELECT count(*) AS n FROM events'))[0]?.n;
    await waitFor('3 events in the lake', async () => (await count()) === 3);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toContain('"msg":"stopped"');
  });
});

describe('node entry configuration', () => {
  it('exits 1 and names every bad variable', async () => {
    const run = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: 'localhost:4567', BUFFER_MAX_MS: 'soon' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('STREAM_NAME is required');
    expect(run.stderr()).toContain('KINESIS_ENDPOINT must be an http(s) URL');
    expect(run.stderr()).toContain('BUFFER_MAX_MS must be an integer');
  });
});
