import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KINESIS_ENGINES, waitFor } from '@eventline/devstack';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storedEvent } from './fixtures/events';
import { nodeEntrySuite } from './fixtures/node-entry-suite';
import { parsePrometheusText, sumOf, type ScrapedSample } from './fixtures/prometheus-text';
import { runEntry } from './fixtures/run-node';

async function scrape(metricsUrl: string): Promise<ScrapedSample[]> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ndjson.gz')).map((e) => join(e.parentPath, e.name));
}

describe.each(KINESIS_ENGINES)('node entry metrics against %s', (engine) => {
  const suite = nodeEntrySuite(engine);

  it('serves /metrics, /healthz and /readyz on a free loopback port while it delivers', async () => {
    const started = await suite.start({ BUFFER_MAX_MS: '500', METRICS_PORT: '0' });
    const { running, lakeDir } = started;
    const ready = started.ready as { metrics_url: string };
    expect(ready.metrics_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const base = ready.metrics_url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${base}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: 'ready' });

    const shardIds = await suite.withKinesis(async (producer) => {
      const shards = ((await producer.send(new ListShardsCommand({ StreamName: 'clicks' }))).Shards ?? []).map((s) => s.ShardId ?? '');
      const events = Array.from({ length: 6 }, (_, i) => storedEvent({ anonymous_id: `dev-${i}` }));
      const records = [...events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })), { Data: Buffer.from('not json'), PartitionKey: 'x' }];
      await producer.send(new PutRecordsCommand({ StreamName: 'clicks', Records: records }));
      return shards;
    });

    let samples: ScrapedSample[] = [];
    await waitFor('6 rows and 1 bad row delivered', async () => {
      samples = await scrape(ready.metrics_url);
      return sumOf(samples, 'eventline_processor_rows_delivered_total') === 6 && sumOf(samples, 'eventline_processor_bad_rows_total') === 1;
    });
    const stream = { stream: 'clicks' };
    expect(sumOf(samples, 'eventline_processor_records_read_total', stream)).toBe(7);
    expect(sumOf(samples, 'eventline_processor_rows_delivered_total', stream)).toBe(6);
    expect(sumOf(samples, 'eventline_processor_bad_rows_total', { ...stream, error_type: 'parse' })).toBe(1);
    expect(sumOf(samples, 'eventline_processor_files_written_total', { ...stream, format: 'ndjson' })).toBe((await filesUnder(lakeDir)).length);
    expect(sumOf(samples, 'eventline_processor_errors_total', stream)).toBe(0);
    expect(sumOf(samples, 'eventline_processor_bytes_written_total', stream)).toBeGreaterThan(0);
    const lagShards = samples.filter((s) => s.name === 'eventline_processor_behind_latest_seconds').map((s) => s.labels.shard);
    expect(lagShards.sort()).toEqual(shardIds.sort());
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toContain('"msg":"stopped"');
  });
});

describe('node entry metrics configuration', () => {
  it('exits 1 with a config error for a bad METRICS_PORT', async () => {
    const run = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: 'http://127.0.0.1:9', STREAM_NAME: 'clicks', METRICS_PORT: '99999' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('invalid processor configuration');
    expect(run.stderr()).toContain('METRICS_PORT must be an integer from 0 (a free port) to 65535, got "99999"');
    expect(run.stdout()).toBe('');
  });
});
