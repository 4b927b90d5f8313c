import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, readStream, waitFor } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, startPipeline, type Pipeline } from '../src';
import { pipelineStatusRoutes, type PipelineStatus } from '../src/pipeline-status';
import { kinesaliteClock, loseToRetention } from './kinesalite-clock';
import { trackThroughSdk } from './track-through-sdk';

// Records the stream's retention (24 h) trims before the processor reads them: kinesalite's clock
// jumps a day and an hour on (kinesalite-clock.ts).
let dataDir: string;
let pipeline: Pipeline;
let clock: ReturnType<typeof kinesaliteClock>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-expired-'));
  clock = kinesaliteClock(dataDir);
  pipeline = await clock.withPreload(() => startPipeline({ dataDir: join(dataDir, 'demo'), engine: 'kinesalite', bufferMaxMs: 200 }));
});

afterAll(async () => {
  await pipeline?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('records the stream trims before the processor reads them', () => {
  it('stay in "not read" (nothing held by the processor): neither the emulator nor the processor counts them', async () => {
    const view = pipelineStatusRoutes({ ingestUrl: pipeline.ingestUrl, lakeDir: pipeline.lakeDir, processorMetricsUrl: pipeline.processorMetricsUrl });
    const status = async (): Promise<PipelineStatus> => (await (await view.app.request('/api/pipeline')).json()) as PipelineStatus;
    try {
      // The processor stands still (as when it fails for a day) while three events are written.
      await loseToRetention(pipeline, clock, ['expired_1', 'expired_2', 'expired_3']);
      // One more, written after the day: the processor reads and delivers it, and so has caught up.
      expect(await trackThroughSdk(pipeline.ingestUrl, ['fresh'])).toHaveLength(1);
      let last: PipelineStatus | undefined;
      await waitFor('the fresh event delivered', async () => ((last = await status()).processor?.rows_delivered ?? 0) >= 1, 60_000, 200);

      // The stream no longer holds the three: GetRecords skipped and dropped them, with no error or count.
      const client = new KinesisClient(emulatorKinesisClientConfig(pipeline.kinesis.endpoint));
      try {
        expect(await readStream(client, STREAMS.events)).toHaveLength(1);
      } finally {
        client.destroy();
      }
      last = await status();
      // errors: 3 — kinesalite refuses an iterator older than 300 s by its clock (ExpiredIteratorException),
      // so the jump fails one GetRecords per shard (events: 2, events-bad: 1); the processor logs it,
      // gets a new iterator and goes on. It counts no expired range: the three are simply not there.
      expect(last.processor).toMatchObject({ records_read_both_streams: 1, rows_delivered: 1, duplicates: 0, bad_rows: 0, pending_ranges_expired: 0, errors: 3 });
      expect(last.accounting).toEqual({ written: 4, delivered: 1, duplicates: 0, bad_rows: 0, held: 0, not_read: 3, in_flight: 3 });
    } finally {
      await view.close();
    }
  });
});
