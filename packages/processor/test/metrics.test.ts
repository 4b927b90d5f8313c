import { waitFor } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSeenIndex, type SeenIndex } from '../src';
import { CONSUMER_OPERATIONS, fanOut } from '../src/consumer/observer';
import { runShardReader } from '../src/consumer/shard-reader';
import { emptyStats, statsObserver } from '../src/consumer/stats';
import { BAD_ROW_TYPE_LABELS } from '../src/metrics/labels';
import { createProcessorMetrics } from '../src/metrics/processor-metrics';
import { record, storedEvent } from './fixtures/events';
import { fakeShard, memoryCheckpoints, memorySink } from './fixtures/fake-shard';
import { samples, valueOf } from './fixtures/metric-values';
import { tempDirs } from './fixtures/temp-dir';

const SHARD = 'shardId-000000000000';
const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const silent = (): void => {};
const limits = { maxBytes: 1024 * 1024, maxPartitions: 500, maxAgeMs: 1, pollIntervalMs: 1 };

/** One shard reader on a fake shard, feeding the stats and the metrics through one observer (as the Node entry does). */
function reader(shard: ReturnType<typeof fakeShard>, o: { sink?: ReturnType<typeof memorySink>; checkpoints?: ReturnType<typeof memoryCheckpoints>; seen?: SeenIndex } = {}) {
  const metrics = createProcessorMetrics({ defaultMetrics: false });
  const stats = emptyStats();
  const abort = new AbortController();
  const sink = o.sink ?? memorySink();
  const run = runShardReader({
    client: shard.client,
    streamName: 'events',
    shardId: SHARD,
    start: undefined,
    sink,
    delivery: {},
    checkpoints: o.checkpoints ?? memoryCheckpoints(),
    ...(o.seen ? { seen: o.seen } : {}),
    limits,
    observer: fanOut(statsObserver(stats), metrics.observerFor('events')),
    log: silent,
    signal: abort.signal,
  });
  return { registry: metrics.registry, stats, sink, run, stop: () => abort.abort() };
}

describe('processor metrics, fed by the shard reader', () => {
  it('count a delivered flush: records, rows, bad rows by type, duplicates by scope, files, bytes, lag, checkpoint', async () => {
    const shard = fakeShard({ millisBehindLatest: 1234 });
    const seen = await openSeenIndex({ dir: join(await dirs.make(), 'seen') });
    const a = storedEvent();
    const b = storedEvent({ anonymous_id: 'dev-2' });
    shard.append([record(a), record(b), record(a), record('not json'), record(new Uint8Array([0xff, 0xfe, 0xfd])), record({ hello: 1 })]);
    const r = reader(shard, { seen });
    try {
      await waitFor('the first flush', () => r.stats.rowsDelivered === 2 && r.stats.badRows === 3);
      // A resend of `a` in a later record: the seen index leaves it out.
      shard.append([record(a)]);
      await waitFor('the resend left out', () => r.stats.alreadyDelivered === 1);
    } finally {
      r.stop();
      await r.run;
      await seen.close();
    }

    const { registry } = r;
    const stream = { stream: 'events' };
    expect(await valueOf(registry, 'eventline_processor_records_read_total', stream)).toBe(7);
    expect(await valueOf(registry, 'eventline_processor_rows_delivered_total', stream)).toBe(2);
    for (const type of ['decode', 'parse', 'validation']) expect(await valueOf(registry, 'eventline_processor_bad_rows_total', { ...stream, error_type: type })).toBe(1);
    expect(await valueOf(registry, 'eventline_processor_duplicates_total', { ...stream, scope: 'flush' })).toBe(1);
    expect(await valueOf(registry, 'eventline_processor_duplicates_total', { ...stream, scope: 'seen_index' })).toBe(1);
    // One events file, three bad-row folders (decode, parse, validation); the resend's flush writes nothing.
    expect(await valueOf(registry, 'eventline_processor_files_written_total', { ...stream, format: 'ndjson' })).toBe(4);
    expect(await valueOf(registry, 'eventline_processor_files_written_total', { ...stream, format: 'parquet' })).toBe(0);
    const bytes = [...r.sink.files.values()].reduce((total, file) => total + file.byteLength, 0);
    expect(await valueOf(registry, 'eventline_processor_bytes_written_total', stream)).toBe(bytes);
    expect(await valueOf(registry, 'eventline_processor_errors_total', stream)).toBe(0);
    expect(await valueOf(registry, 'eventline_processor_flush_duration_seconds_count', stream)).toBe(2);
    expect(await samples(registry, 'eventline_processor_behind_latest_seconds')).toEqual([{ labels: { stream: 'events', shard: SHARD }, value: 1.234 }]);
    const [checkpoint] = await samples(registry, 'eventline_processor_last_checkpoint_timestamp_seconds');
    expect(checkpoint?.labels).toEqual({ stream: 'events', shard: SHARD });
    expect(checkpoint?.value).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
    expect(await valueOf(registry, 'eventline_processor_buffered_records', stream)).toBe(0);
    // The stats (the stop line) come from the same observer calls.
    expect(r.stats).toMatchObject({ recordsRead: 7, rowsDelivered: 2, badRows: 3, duplicates: 1, alreadyDelivered: 1, filesWritten: 4, errors: 0 });
  });

  it('count failures by operation: GetRecords, file writes, checkpoints', async () => {
    const shard = fakeShard({ failGetRecords: 2 });
    shard.append([record(storedEvent())]);
    const r = reader(shard, { sink: memorySink(1), checkpoints: memoryCheckpoints(1) });
    try {
      await waitFor('the event delivered after the failures', () => r.stats.rowsDelivered === 1);
    } finally {
      r.stop();
      await r.run;
    }
    const errors = async (operation: string): Promise<number> => valueOf(r.registry, 'eventline_processor_errors_total', { stream: 'events', operation });
    expect(await errors('get_records')).toBe(2);
    expect(await errors('deliver')).toBe(1);
    expect(await errors('checkpoint')).toBe(1);
    expect(await errors('get_shard_iterator')).toBe(0);
    expect(r.stats.errors).toBe(4);
  });

  it("remove a shard's lag and checkpoint series once the shard is closed and delivered", async () => {
    const shard = fakeShard({ millisBehindLatest: 0 });
    shard.append([record(storedEvent())]);
    shard.close();
    const r = reader(shard);
    expect(await r.run).toBe('ended');
    expect(await valueOf(r.registry, 'eventline_processor_rows_delivered_total')).toBe(1);
    expect(await samples(r.registry, 'eventline_processor_behind_latest_seconds')).toEqual([]);
    expect(await samples(r.registry, 'eventline_processor_last_checkpoint_timestamp_seconds')).toEqual([]);
  });
});

describe('processor metric labels', () => {
  it('stay in closed sets whatever the records say', async () => {
    const metrics = createProcessorMetrics({ defaultMetrics: false });
    const observer = metrics.observerFor('events-bad');
    const badRows = new Map<string, number>(Array.from({ length: 50 }, (_, i) => [`ingest_code_${i}`, 1] as const));
    badRows.set('ingest_invalid_event', 2).set('something_else', 1);
    for (let i = 0; i < 20; i += 1) {
      observer.flushed(`shardId-${i}`, { rowsDelivered: 0, badRows, duplicates: 0, alreadyDelivered: 0, files: [], durationSeconds: 0.01, checkpointedAt: Date.now() });
    }
    for (const operation of CONSUMER_OPERATIONS) observer.failed(undefined, operation);

    const types = (await samples(metrics.registry, 'eventline_processor_bad_rows_total')).map((s) => String(s.labels.error_type));
    expect(types.sort()).toEqual([...BAD_ROW_TYPE_LABELS].sort());
    expect(await valueOf(metrics.registry, 'eventline_processor_bad_rows_total', { error_type: 'ingest_other' })).toBe(20 * 50);
    expect(await valueOf(metrics.registry, 'eventline_processor_bad_rows_total', { error_type: 'ingest_invalid_event' })).toBe(20 * 2);
    expect(await valueOf(metrics.registry, 'eventline_processor_bad_rows_total', { error_type: 'other' })).toBe(20);
    const operations = (await samples(metrics.registry, 'eventline_processor_errors_total')).map((s) => String(s.labels.operation));
    expect(operations.sort()).toEqual([...CONSUMER_OPERATIONS].sort());
    // Only `stream` and `shard` (the stream's own shards) vary beyond closed sets; no metric has any other label.
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of names) {
      for (const sample of await samples(metrics.registry, name)) {
        expect(Object.keys(sample.labels).every((label) => ['stream', 'shard', 'error_type', 'scope', 'format', 'operation', 'le'].includes(label))).toBe(true);
      }
    }
  });

  it('include the Node process metrics, in a registry of their own', async () => {
    const metrics = createProcessorMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toContain('eventline_processor_records_read_total');
    const { register } = await import('prom-client');
    expect(register.getSingleMetric('eventline_processor_records_read_total')).toBeUndefined();
  });
});
