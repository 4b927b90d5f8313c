import { waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { runShardReader } from '../src/consumer/shard-reader';
import { startObservability, type Observability } from '../src/metrics/observability';
import { READINESS_FAILURE_LIMIT } from '../src/metrics/readiness';
import { fakeShard, memoryCheckpoints, memorySink } from './fixtures/fake-shard';
import { parsePrometheusText, sumOf } from './fixtures/prometheus-text';

const SHARD = 'shardId-000000000000';

async function readyz(observability: Observability): Promise<{ status: number; body: unknown }> {
  const response = await fetch((observability.metricsUrl ?? '').replace(/\/metrics$/, '/readyz'));
  return { status: response.status, body: await response.json() };
}

/** A shard reader reporting to `observability` as the Node entry's consumers do. */
function readShard(observability: Observability, shard: ReturnType<typeof fakeShard>): { stop: () => Promise<unknown> } {
  const abort = new AbortController();
  const observer = observability.observerFor('events');
  if (!observer) throw new Error('no observer with a metrics port');
  const run = runShardReader({
    client: shard.client,
    streamName: 'events',
    shardId: SHARD,
    start: undefined,
    sink: memorySink(),
    delivery: {},
    checkpoints: memoryCheckpoints(),
    limits: { maxBytes: 1024 * 1024, maxPartitions: 500, maxAgeMs: 1, pollIntervalMs: 1 },
    observer,
    log: () => {},
    signal: abort.signal,
  });
  return { stop: () => (abort.abort(), run) };
}

describe('observability (metrics and readiness of the Node entry)', () => {
  it('answers /readyz 503 while a shard keeps failing, and counts the failures in /metrics', async () => {
    const observability = await startObservability({ host: '127.0.0.1', port: 0 }, () => {});
    const reader = readShard(observability, fakeShard({ failGetRecords: 1_000 }));
    try {
      observability.started();
      await waitFor('/readyz 503', async () => (await readyz(observability)).status === 503, 10_000, 50);
      expect((await readyz(observability)).body).toEqual({
        status: 'not_ready',
        reasons: [expect.stringMatching(new RegExp(`^shard events/${SHARD}: last \\d+ reads or writes failed$`))],
      });
      const samples = parsePrometheusText(await (await fetch(observability.metricsUrl ?? '')).text());
      expect(sumOf(samples, 'eventline_processor_errors_total', { stream: 'events', operation: 'get_records' })).toBeGreaterThanOrEqual(READINESS_FAILURE_LIMIT);
    } finally {
      await reader.stop();
      await observability.close();
    }
  });

  it('answers /readyz 503 from stopping() on, and nothing once closed', async () => {
    const observability = await startObservability({ host: '127.0.0.1', port: 0 }, () => {});
    observability.started();
    expect(await readyz(observability)).toEqual({ status: 200, body: { status: 'ready' } });
    observability.stopping();
    expect(await readyz(observability)).toEqual({ status: 503, body: { status: 'not_ready', reasons: ['stopping: final flush'] } });
    await observability.close();
    await expect(readyz(observability)).rejects.toThrow();
  });
});
