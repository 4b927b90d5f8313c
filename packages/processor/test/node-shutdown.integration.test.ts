import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DEFAULT_ENGINE, waitFor } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAKE_FORMAT_MARKER, runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { nodeEntrySuite, SUITE_STREAM } from './fixtures/node-entry-suite';
import { parsePrometheusText, sumOf } from './fixtures/prometheus-text';
import { startSilentServer } from './fixtures/silent-server';
import { tempDirs } from './fixtures/temp-dir';

// One engine is enough: what is under test is the entry's stop sequence, not Kinesis.
describe('node entry between SIGTERM and exit', () => {
  const suite = nodeEntrySuite(DEFAULT_ENGINE);
  // S3 that never answers: the final flush hangs, holding the entry between SIGTERM and exit. Only the
  // lake-format marker, read and written at start, is answered (none yet, then written).
  let s3: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    s3 = await startSilentServer((req) => (req.url?.includes(LAKE_FORMAT_MARKER) ? (req.method === 'GET' ? 404 : 200) : undefined));
  });
  afterAll(() => s3.stop());
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  let recordsPut = 0;
  /**
   * One more record put on the stream; resolves once the running entry has read and buffered every
   * record on it (each run starts from the stream's start: the earlier tests' records too).
   */
  async function bufferOneRecord(metricsUrl: string): Promise<ReturnType<typeof storedEvent>> {
    const recordsRead = async (): Promise<number> => sumOf(parsePrometheusText(await (await fetch(metricsUrl)).text()), 'eventline_processor_records_read_total');
    const event = storedEvent();
    await suite.withKinesis((client) =>
      client.send(new PutRecordsCommand({ StreamName: SUITE_STREAM, Records: [{ Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.anonymous_id }] })),
    );
    recordsPut += 1;
    await waitFor('every record read and buffered', async () => (await recordsRead()) === recordsPut);
    return event;
  }

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
    await bufferOneRecord(metricsUrl);
    expect((await fetch(readyz)).status).toBe(200);

    running.child.kill('SIGTERM');
    await waitFor('/readyz 503', async () => (await fetch(readyz)).status === 503, 10_000);
    expect(await (await fetch(readyz)).json()).toEqual({ status: 'not_ready', reasons: ['stopping: final flush'] });
    expect(await recordsRead()).toBe(recordsPut);
    expect(running.child.exitCode).toBeNull();
    expect(running.stderr()).not.toContain('"msg":"stopped');
  });

  it('exits 1 at SHUTDOWN_TIMEOUT_MS when the final flush cannot finish; a restart delivers the record', async () => {
    const checkpointFile = join(await dirs.make(), 'cp.json'); // shared by both runs (and its seen index next to it)
    const { running, ready } = await suite.start({
      S3_BUCKET: 'lake',
      S3_ENDPOINT: s3.url,
      BUFFER_MAX_MS: '900000',
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '1000',
      CHECKPOINT_FILE: checkpointFile,
    });
    const event = await bufferOneRecord((ready as { metrics_url: string }).metrics_url);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain('"msg":"stop deadline passed; exiting before the final flush finished');
    expect(running.stderr()).toContain('"shutdown_timeout_ms":1000');

    const again = await suite.start({ BUFFER_MAX_MS: '500', CHECKPOINT_FILE: checkpointFile });
    const ids = async (): Promise<unknown[]> => (await runQuery(again.lakeDir, 'SELECT event_id FROM events')).map((r) => r.event_id);
    await waitFor('the re-read records in the lake', async () => (await ids()).length === recordsPut, 30_000);
    again.running.child.kill('SIGTERM');
    expect(await again.running.exited).toBe(0);
    expect((await ids()).filter((id) => id === event.event_id)).toHaveLength(1);
  });

  it('exits 1 with every failure listed in `stopped with errors` when the final flush fails', async () => {
    // Port 1 (tcpmux, privileged): nothing listens there, and no parallel test can take it the way it
    // could take a port just freed, so every upload is refused at once.
    const refusing = 'http://127.0.0.1:1';
    const { running, ready } = await suite.start({ S3_BUCKET: 'lake', S3_ENDPOINT: refusing, BUFFER_MAX_MS: '900000', METRICS_PORT: '0' });
    await bufferOneRecord((ready as { metrics_url: string }).metrics_url);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(1);
    const line = running
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"msg":"stopped with errors"'))
      .map((l) => JSON.parse(l) as { failures: { error: string; cause?: { error_code?: string } }[]; errors: number });
    expect(line).toHaveLength(1);
    expect(line[0]?.failures).toHaveLength(1);
    expect(line[0]?.failures[0]?.error).toMatch(/final flush failed/);
    expect(line[0]?.failures[0]?.cause?.error_code).toBe('ECONNREFUSED');
    expect(line[0]?.errors).toBeGreaterThan(0); // the stats' count, beside the list
  });

  it('signals after the first change nothing: the stop goes on until its deadline', async () => {
    const { running, ready } = await suite.start({ S3_BUCKET: 'lake', S3_ENDPOINT: s3.url, BUFFER_MAX_MS: '900000', METRICS_PORT: '0', SHUTDOWN_TIMEOUT_MS: '3000' });
    await bufferOneRecord((ready as { metrics_url: string }).metrics_url);
    running.child.kill('SIGTERM');
    await waitFor('the stop to begin', () => running.stderr().includes('"msg":"stopping"'));
    running.child.kill('SIGINT'); // a Ctrl-C, or its copy from npm run
    await waitFor('the second signal noted', () => running.stderr().includes('"msg":"already stopping"'));
    expect(running.child.exitCode).toBeNull();
    expect(await running.exited).toBe(1); // at the deadline, the S3 write still hanging
    expect(running.stderr()).toContain('stop deadline passed');
    expect(running.stderr().split('"msg":"stopping"')).toHaveLength(2); // the stop ran once
  });
});
