import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, kinesisClientConfig, startKinesis, type KinesisEmulator, waitFor } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from './fixtures/events';
import { parsePrometheusText, sumOf } from './fixtures/prometheus-text';
import { runEntry, type Running } from './fixtures/run-node';
import { startSilentServer } from './fixtures/silent-server';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

// One engine is enough: what is under test is the entry's stop sequence, not Kinesis.
describe('node entry between SIGTERM and exit', () => {
  let kinesis: KinesisEmulator;
  // S3 that never answers: the final flush hangs, holding the entry between SIGTERM and exit.
  let s3: Awaited<ReturnType<typeof startSilentServer>>;
  let processor: Running | undefined;

  beforeAll(async () => {
    kinesis = await startKinesis();
    await ensureStreams(kinesis.endpoint, [{ name: 'clicks', shards: 1 }]);
    s3 = await startSilentServer();
  });

  afterAll(async () => {
    if (processor && processor.child.exitCode === null) {
      processor.child.kill('SIGKILL');
      await processor.exited;
    }
    await s3?.stop();
    await kinesis?.stop();
  });

  it('answers /readyz 503 and still serves /metrics while the final flush runs', async () => {
    const dir = await dirs.make();
    processor = runEntry('src/node.ts', [], {
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: 'clicks',
      LAKE_DIR: join(dir, 'lake'),
      CHECKPOINT_FILE: join(dir, 'cp.json'),
      S3_BUCKET: 'lake',
      S3_ENDPOINT: s3.url,
      BUFFER_MAX_MS: '900000', // nothing flushes before SIGTERM
      METRICS_PORT: '0',
    });
    const running = processor;
    await waitFor('the ready line', () => running.stdout().includes('\n') || running.child.exitCode !== null);
    const metricsUrl = (JSON.parse(running.stdout().split('\n')[0] ?? '') as { metrics_url: string }).metrics_url;
    const readyz = metricsUrl.replace(/\/metrics$/, '/readyz');
    const recordsRead = async (): Promise<number> => sumOf(parsePrometheusText(await (await fetch(metricsUrl)).text()), 'eventline_processor_records_read_total');

    const producer = new KinesisClient(kinesisClientConfig(kinesis.endpoint));
    try {
      const event = storedEvent();
      await producer.send(new PutRecordsCommand({ StreamName: 'clicks', Records: [{ Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.anonymous_id }] }));
    } finally {
      producer.destroy();
    }
    await waitFor('the record read and buffered', async () => (await recordsRead()) === 1);
    expect((await fetch(readyz)).status).toBe(200);

    running.child.kill('SIGTERM');
    await waitFor('/readyz 503', async () => (await fetch(readyz)).status === 503, 10_000);
    expect(await (await fetch(readyz)).json()).toEqual({ status: 'not_ready', reasons: ['stopping: final flush'] });
    expect(await recordsRead()).toBe(1);
    expect(running.child.exitCode).toBeNull();
    expect(running.stderr()).not.toContain('"msg":"stopped');
  });
});
