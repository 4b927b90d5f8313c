import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DEFAULT_ENGINE, waitFor } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from './fixtures/events';
import { nodeEntrySuite, SUITE_STREAM } from './fixtures/node-entry-suite';
import { parsePrometheusText, sumOf } from './fixtures/prometheus-text';
import { startSilentServer } from './fixtures/silent-server';

// One engine is enough: what is under test is the entry's stop sequence, not Kinesis.
describe('node entry between SIGTERM and exit', () => {
  const suite = nodeEntrySuite(DEFAULT_ENGINE);
  // S3 that never answers: the final flush hangs, holding the entry between SIGTERM and exit.
  let s3: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    s3 = await startSilentServer();
  });
  afterAll(() => s3.stop());

  it('answers /readyz 503 and still serves /metrics while the final flush runs', async () => {
    const { running, ready } = await suite.start({
      S3_BUCKET: 'lake',
      S3_ENDPOINT: s3.url,
      BUFFER_MAX_MS: '900000', // nothing flushes before SIGTERM
      METRICS_PORT: '0',
    });
    const metricsUrl = (ready as { metrics_url: string }).metrics_url;
    const readyz = metricsUrl.replace(/\/metrics$/, '/readyz');
    const recordsRead = async (): Promise<number> => sumOf(parsePrometheusText(await (await fetch(metricsUrl)).text()), 'eventline_processor_records_read_total');

    const event = storedEvent();
    await suite.withKinesis((client) =>
      client.send(new PutRecordsCommand({ StreamName: SUITE_STREAM, Records: [{ Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.anonymous_id }] })),
    );
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
