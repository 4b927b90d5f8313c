import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, readStream, recordJson, uuidV7 } from '@eventline/devstack';
import { aggregate, type EncodedRecord } from 'aws-kinesis-agg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline, type PipelineOptions } from '../src';
import { STREAMS } from '../src/streams';
import { trackThroughSdk } from './track-through-sdk';

// How the wait for an earlier run's backlog ends when the processor does not get through it (src/backlog.ts,
// README): no progress for giveUpAfterMs (30 s), or not done in maxWaitMs (5 min), both short here through
// `backlogTiming`. Either way the demo starts its ingest anyway and says the line keeps the backlog.
const dirs: string[] = [];
let pipeline: Pipeline | undefined;

afterAll(async () => {
  await pipeline?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Run 1 in a new data folder: the processor stands still while `ids` are written (and `more` is done), then is killed unread. */
async function leaveBacklog(name: string, ids: string[], more: (p: Pipeline) => Promise<void> = () => Promise.resolve()): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), `eventline-demo-${name}-`));
  dirs.push(dataDir);
  const demoDir = join(dataDir, 'demo');
  pipeline = await startPipeline({ dataDir: demoDir, engine: 'kinesalite', bufferMaxMs: 200 });
  const processor = pipeline.services.find((s) => s.name === 'processor');
  if (!processor) throw new Error('no processor');
  process.kill(processor.pid, 'SIGSTOP');
  expect(await trackThroughSdk(pipeline.ingestUrl, ids)).toHaveLength(ids.length);
  await more(pipeline);
  process.kill(processor.pid, 'SIGKILL');
  await pipeline.stop();
  pipeline = undefined;
  return demoDir;
}

/** Run 2 on the same folder; what the console was told about the backlog. */
async function startAgain(demoDir: string, options: Partial<PipelineOptions>): Promise<string[]> {
  const told: string[] = [];
  pipeline = await startPipeline({ dataDir: demoDir, engine: 'kinesalite', onBacklogProgress: (message) => told.push(message), ...options });
  return told;
}

/** One KPL aggregated record holding `records` (aws-kinesis-agg: magic, protobuf AggregatedRecord, MD5). */
function kplAggregate(records: { partitionKey: string; data: string }[]): Promise<EncodedRecord> {
  return new Promise((resolve, reject) => {
    const encoded: EncodedRecord[] = [];
    aggregate(
      records,
      (record, done) => {
        encoded.push(record);
        done();
      },
      () => (encoded.length === 1 && encoded[0] ? resolve(encoded[0]) : reject(new Error(`${encoded.length} aggregates, expected 1`))),
      reject,
    );
  });
}

describe('the wait for an earlier run’s backlog', () => {
  it('with no progress for giveUpAfterMs (30 s) starts the ingest anyway, the backlog kept in the line, and says so', async () => {
    const demoDir = await leaveBacklog('stuck', ['stuck_1', 'stuck_2', 'stuck_3']);
    // The processor reads the three and holds them (a minute's buffer): nothing moves after that.
    const told = await startAgain(demoDir, { bufferMaxMs: 60_000, backlogTiming: { recountAfterMs: 1_000, giveUpAfterMs: 8_000, progressEveryMs: 1_000 } });
    const problem = 'the processor did not get through the 3 records they left before the ingest started (read 3, held 3; no progress for 8 s)';
    expect(pipeline!.backlog).toEqual({ records: 3, baseline: null, problem });
    expect(told.at(-1)).toBe(`Not waiting for what earlier runs left in the streams: ${problem}. The live view's line keeps it.`);
    expect(told).toContain('Reading the 3 records earlier runs left in the streams before the ingest starts: 3 read (Ctrl-C stops)');
    // The demo runs on: its ingest takes events.
    expect(await trackThroughSdk(pipeline!.ingestUrl, ['after_giving_up'])).toHaveLength(1);
    await pipeline!.stop();
    pipeline = undefined;
  });

  it('not done in maxWaitMs (5 min) starts the ingest anyway, however it moves, and says so', async () => {
    const demoDir = await leaveBacklog('slow', ['slow_1', 'slow_2', 'slow_3']);
    const told = await startAgain(demoDir, { bufferMaxMs: 60_000, backlogTiming: { maxWaitMs: 8_000, giveUpAfterMs: 60_000, recountAfterMs: 60_000 } });
    const problem = 'the processor did not get through the 3 records they left in 8 s, the longest the demo waits (read 3, held 3)';
    expect(pipeline!.backlog).toEqual({ records: 3, baseline: null, problem });
    expect(told.at(-1)).toBe(`Not waiting for what earlier runs left in the streams: ${problem}. The live view's line keeps it.`);
    expect(await trackThroughSdk(pipeline!.ingestUrl, ['after_the_bound'])).toHaveLength(1);
    await pipeline!.stop();
    pipeline = undefined;
  });

  it('counts a KPL-aggregated record of an outside producer as the processor reads it: one record, its user records delivered', async () => {
    const demoDir = await leaveBacklog('kpl', ['plain_1', 'plain_2'], async (p) => {
      // Three user records shaped as the ingest writes them (a copy of one it wrote, each with an id of its own), in one Kinesis record.
      const client = new KinesisClient(emulatorKinesisClientConfig(p.kinesis.endpoint));
      try {
        const [written] = await readStream(client, STREAMS.events);
        const users = ['kpl_1', 'kpl_2', 'kpl_3'].map((name) => ({ partitionKey: name, data: JSON.stringify({ ...recordJson(written!), event_id: uuidV7() }) }));
        const record = await kplAggregate(users);
        expect([...record.data.subarray(0, 4)]).toEqual([0xf3, 0x89, 0x9a, 0xc2]);
        await client.send(new PutRecordCommand({ StreamName: STREAMS.events, PartitionKey: record.partitionKey, Data: record.data }));
      } finally {
        client.destroy();
      }
    });
    const told = await startAgain(demoDir, { bufferMaxMs: 200, backlogTiming: { giveUpAfterMs: 15_000 } });
    // Read counts Kinesis records (2 + 1), delivered counts rows (2 + 3): caught up all the same.
    expect(pipeline!.backlog).toEqual({ records: 3, baseline: { read: 3, delivered: 5, duplicates: 0, bad_rows: 0 } });
    expect(told.at(-1)).toBe("Read the 3 records earlier runs left in the streams; the live view's line leaves them out.");
    await pipeline!.stop();
    pipeline = undefined;
  });
});
