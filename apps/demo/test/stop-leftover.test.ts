import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline } from '../src';
import { leftoverNote } from '../src/stop-leftover';
import { STREAMS } from '../src/streams';
import { trackThroughSdk } from './track-through-sdk';

// The note after a stop counts the events and the ingest's rejections (the bad-rows stream) apart,
// and says "read but not delivered" when the processor's stop failed.
const dirs: string[] = [];
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `demo-leftover-${name}-`));
  dirs.push(dir);
  return dir;
};
let kinesis: KinesisEmulator;

beforeAll(async () => {
  kinesis = await startKinesis({ engine: 'kinesalite' });
}, 60_000);
afterAll(async () => {
  await kinesis?.stop();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

async function put(stream: string, count: number): Promise<void> {
  const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  try {
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: count }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from('{}') })) }));
    expect(out.FailedRecordCount).toBe(0);
  } finally {
    client.destroy();
  }
}

describe('leftoverNote', () => {
  it('counts events and rejected-event records apart; a clean stop did not read them, a failed one may have', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: STREAMS.events, shards: 2 }, { name: STREAMS.badRows, shards: 1 }]);
    const dir = tempDir('count');
    // No checkpoint files: every record is left.
    const streams = [
      { name: STREAMS.events, checkpointFile: join(dir, 'events.json') },
      { name: STREAMS.badRows, checkpointFile: join(dir, 'bad.json') },
    ];
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: 0, signal: null })).toBeUndefined();
    await put(STREAMS.badRows, 1);
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: 0, signal: null })).toMatch(/^1 rejected-event record is not in the lake yet: the processor stopped before it read them \(at a stop it reads on for at most 10 s;/);
    await put(STREAMS.events, 12);
    await put(STREAMS.badRows, 2);
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: 0, signal: null })).toBe(
      '12 events and 3 rejected-event records are not in the lake yet: the processor stopped before it read them (at a stop it reads on for at most 10 s; its lines above say what held it). They are kept in the streams, and the next `npm run demo` reads them into the lake before its ingest starts.',
    );
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: 1, signal: null })).toBe(
      "12 events and 3 rejected-event records are not in the lake yet: the processor's stop failed (exit code 1; its lines above say why): they may have been read but not delivered. They are kept in the streams, and the next `npm run demo` reads them into the lake before its ingest starts.",
    );
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: null, signal: 'SIGKILL' })).toMatch(/^12 events and 3 rejected-event records are not in the lake yet: the processor's stop failed \(ended by SIGKILL\): they may have been read but not delivered\. They/);
    // The demo's own SIGKILL at the end of the stop's grace: a hung processor printed nothing to point at.
    expect(await leftoverNote(kinesis.endpoint, streams, 10_000, { code: null, signal: 'SIGKILL', killedAfterGraceMs: 25_000 })).toMatch(
      /^12 events and 3 rejected-event records are not in the lake yet: the processor's stop failed \(it had not exited 25 s after the stop signal and was ended by SIGKILL\): they may have been read but not delivered\. They/,
    );
  });
});

describe('the note at the demo stop', () => {
  it('rejected events left in the bad-rows stream are told as such, not as accepted records', async () => {
    const notes: string[] = [];
    const p = await startPipeline({ dataDir: tempDir('rejected'), engine: 'kinesalite', onStopNote: (n) => notes.push(n) });
    try {
      const processor = p.services.find((s) => s.name === 'processor');
      if (!processor) throw new Error('no processor');
      process.kill(processor.pid, 'SIGSTOP');
      const res = await fetch(`${p.ingestUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${DEMO_WRITE_KEY}:`)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sent_at: new Date().toISOString(), events: [{ event_id: 'not-a-uuid' }, { event_id: 'also-not' }, { event_id: 'nope' }] }),
      });
      expect(res.status).toBeLessThan(500);
      process.kill(processor.pid, 'SIGKILL'); // it can read nothing more
    } finally {
      await p.stop();
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^3 rejected-event records are not in the lake yet: the processor's stop failed \(ended by SIGKILL\)/);
  }, 120_000);

  it('a processor whose final flush fails read the events: the note says they may have been read but not delivered', async () => {
    const notes: string[] = [];
    const p = await startPipeline({ dataDir: tempDir('unwritable'), engine: 'kinesalite', onStopNote: (n) => notes.push(n) });
    try {
      // The lake cannot take the events' files from now on: a file where their folder goes.
      rmSync(join(p.lakeDir, 'events'), { recursive: true, force: true });
      mkdirSync(p.lakeDir, { recursive: true });
      writeFileSync(join(p.lakeDir, 'events'), 'not a folder');
      expect(await trackThroughSdk(p.ingestUrl, ['a', 'b', 'c'])).toHaveLength(3);
    } finally {
      await p.stop();
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^3 events are not in the lake yet: the processor's stop failed \(exit code 1; its lines above say why\): they may have been read but not delivered/);
  }, 180_000);
});
