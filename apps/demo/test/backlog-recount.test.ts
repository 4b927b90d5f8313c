import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, startKinesis, startKinesisFaultProxy, type KinesisEmulator, type KinesisFaultProxy, type ServiceProcess } from '@eventline/devstack';
import { afterAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../src';
import { settleBacklog } from '../src/backlog';
import { dataLayout } from '../src/data-layout';
import { STREAMS } from '../src/streams';
import { trackThroughSdk } from './track-through-sdk';

// A recount re-reads the whole backlog from the emulator (a large one: seconds). It runs beside the
// wait, not in it: the progress lines keep coming and the bounds keep being checked while it runs.
// Here the count goes through devstack's fault proxy, which holds each of the recount's calls 4 s;
// the processor reads the emulator directly.
const require = createRequire(import.meta.url);
const dirs: string[] = [];
let pipeline: Pipeline | undefined;
let kinesis: KinesisEmulator | undefined;
let proxy: KinesisFaultProxy | undefined;
let processor: ServiceProcess | undefined;

afterAll(async () => {
  await pipeline?.stop();
  await processor?.stop();
  await proxy?.stop();
  await kinesis?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a slow recount during the wait for an earlier run’s backlog', () => {
  it('holds up neither the progress lines nor the longest wait', async () => {
    // Run 1: the processor stands still while three events are written, then is killed unread.
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-recount-'));
    dirs.push(dataDir);
    pipeline = await startPipeline({ dataDir, engine: 'kinesalite', bufferMaxMs: 200 });
    const stopped = pipeline.services.find((s) => s.name === 'processor')!;
    process.kill(stopped.pid, 'SIGSTOP');
    expect(await trackThroughSdk(pipeline.ingestUrl, ['recount_1', 'recount_2', 'recount_3'])).toHaveLength(3);
    process.kill(stopped.pid, 'SIGKILL');
    await pipeline.stop();
    pipeline = undefined;

    // Run 2: the same emulator data and checkpoints; the processor reads the three and holds them (a
    // minute's buffer), so nothing moves after that and a recount starts after 300 ms standing still.
    const layout = dataLayout(dataDir, 'kinesalite');
    kinesis = await startKinesis({ engine: 'kinesalite', dataDir: layout.emulatorDir });
    const countingProxy = (proxy = await startKinesisFaultProxy(kinesis.endpoint));
    const startProcessor = async (): Promise<string> => {
      processor = await spawnService({
        name: 'processor',
        entry: require.resolve('@eventline/processor/node'),
        env: {
          KINESIS_ENDPOINT: kinesis!.endpoint,
          AWS_REGION: 'us-east-1',
          STREAM_NAME: STREAMS.events,
          BAD_ROWS_STREAM_NAME: STREAMS.badRows,
          LAKE_DIR: layout.lakeDir,
          CHECKPOINT_FILE: layout.checkpointFile,
          BAD_ROWS_CHECKPOINT_FILE: layout.badRowsCheckpointFile,
          DEDUPE_DIR: layout.seenDir,
          BUFFER_MAX_MS: '60000',
          OUTPUT_FORMAT: 'parquet',
          METRICS_PORT: '0',
          METRICS_HOST: '127.0.0.1',
        },
        ready: (r) => r.event === 'ready',
      });
      // The first count is done: from now on every call of the demo's count (its recounts) is slow.
      countingProxy.plan.latencyMs = 4_000;
      return String(processor.readyRecord.metrics_url);
    };
    // Each progress line notes whether a recount call was then held by the proxy (seen, not yet answered).
    const told: { message: string; duringRecount: boolean }[] = [];
    const held = (): number => Object.values(countingProxy.stats.calls).reduce((a, b) => a + b, 0) - answered;
    let answered = 0;
    countingProxy.plan.failCall = () => {
      answered += 1; // called once a call's delay is over, just before it is forwarded
      return undefined;
    };
    const backlog = await settleBacklog(
      countingProxy.endpoint,
      [
        { name: STREAMS.events, checkpointFile: layout.checkpointFile },
        { name: STREAMS.badRows, checkpointFile: layout.badRowsCheckpointFile },
      ],
      startProcessor,
      {
        timing: { pollMs: 100, recountAfterMs: 300, giveUpAfterMs: 60_000, maxWaitMs: 8_000, progressEveryMs: 500 },
        onProgress: (message) => told.push({ message, duringRecount: held() > 0 }),
      },
    );

    const problem = 'the processor did not get through the 3 records they left in 8 s, the longest the demo waits (read 3, held 3)';
    expect(backlog).toEqual({ records: 3, baseline: null, problem });
    // A recount ran (the proxy saw its calls), and the lines kept coming while it did: before, the wait
    // stood still until the recount was over (a dozen calls of 4 s), and only then said anything or ended.
    expect(countingProxy.stats.calls.ListShards).toBeGreaterThan(2);
    const reading = 'Reading the 3 records earlier runs left in the streams before the ingest starts: 3 read (Ctrl-C stops)';
    expect(told.filter((line) => line.duringRecount && line.message === reading).length).toBeGreaterThanOrEqual(3);
    expect(told.at(-1)?.message).toBe(`Not waiting for what earlier runs left in the streams: ${problem}. The live view's line keeps it.`);
  }, 120_000);
});
