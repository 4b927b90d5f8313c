import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  ensureStreams,
  emulatorKinesisClientConfig,
  KINESIS_ENGINES,
  startKinesis,
  waitFor,
  type KinesisEmulator,
} from '@eventline/devstack';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import type { StoredEvent } from '@eventline/schemas';
import { storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
const postgres = postgresSuite();
afterAll(async () => {
  await dirs.cleanup();
});

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.parquet')).length;
}

describe.each(KINESIS_ENGINES)('processor killed with SIGKILL mid-delivery, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  const running: Running[] = [];

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }]);
    producer = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.exited));
    producer?.destroy();
    await kinesis?.stop();
  });

  let stream = 'events';

  async function putEvents(events: StoredEvent[], keyOf: (e: StoredEvent, i: number) => string = (e) => e.anonymous_id): Promise<void> {
    for (let i = 0; i < events.length; i += 500) {
      const slice = events.slice(i, i + 500);
      const out = await producer.send(
        new PutRecordsCommand({ StreamName: stream, Records: slice.map((e, j) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: keyOf(e, i + j) })) }),
      );
      expect(out.FailedRecordCount ?? 0).toBe(0);
    }
  }

  async function put(count: number): Promise<StoredEvent[]> {
    const events = Array.from({ length: count }, (_, i) => storedEvent({ anonymous_id: `dev-${i % 31}`, seq: i }));
    await putEvents(events);
    return events;
  }

  /** The SDK resending events the ingest had put but never acknowledged: same event_ids, a new received_at, any key. */
  const resend = (events: StoredEvent[]): Promise<void> =>
    putEvents(
      events.map((e) => ({ ...e, received_at: new Date().toISOString() })),
      (_e, i) => `resent-${i}`,
    );

  const ids = (events: StoredEvent[]): string[] => events.map((e) => e.event_id);

  it('restarts with no event lost and none duplicated, in the lake and in PostgreSQL', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const schema = postgres.schema('eventline_crash');
    const env = {
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: 'events',
      LAKE_DIR: lakeDir,
      CHECKPOINT_FILE: join(dir, 'cp.json'),
      OUTPUT_FORMAT: 'parquet',
      BUFFER_MAX_MS: '200',
      BUFFER_MAX_BYTES: '4096', // ~8 records per flush: many flushes, so the kill lands mid-way
      POLL_INTERVAL_MS: '50',
      DATABASE_URL: postgres.url(),
      PG_SCHEMA: schema,
      PG_BATCH_SIZE: '5',
    };
    const first = await put(800);
    await resend(first.slice(0, 100)); // resent at once: the duplicates meet in the same run
    const victim = runEntry('src/node.ts', [], env);
    running.push(victim);
    await waitFor('some files written', async () => (await countFiles(lakeDir)) >= 6 || victim.child.exitCode !== null, 60_000, 10);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    const lakeAfterKill = await runQuery(lakeDir, 'SELECT count(*) AS n FROM events');
    expect(lakeAfterKill[0]?.n).toBeLessThan(800); // killed mid-way, not after the end

    const second = await put(200);
    await resend(first.slice(300, 600)); // resent while the processor is down: they meet across a restart
    const sent = [...ids(first), ...ids(second)].sort();
    const restarted = runEntry('src/node.ts', [], env);
    running.push(restarted);
    await waitFor('all events in the lake', async () => (await runQuery(lakeDir, 'SELECT count(DISTINCT event_id) AS n FROM events'))[0]?.n === 1000, 90_000);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    expect(await runQuery(lakeDir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: 1000, d: 1000 }]);
    expect((await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((r) => r.event_id)).toEqual(sent);
    const { rows } = await postgres.admin().query<{ n: string; d: string }>(`SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM "${schema}".events`);
    expect(rows[0]).toEqual({ n: '1000', d: '1000' });
    const leftOut = [victim, restarted].flatMap((r) => leftOutCounts(r.stderr())).reduce((a, b) => a + b, 0);
    expect(leftOut).toBe(400); // every resend counted once, none dropped silently
  }, 180_000);

  it('killed between a flush\'s files and its checkpoint: the replay writes the same objects, resends stay out', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const checkpointFile = join(dir, 'cp.json');
    // A stream of its own, so the kill's position depends only on what is put here.
    stream = 'events-kill';
    await ensureStreams(kinesis.endpoint, [{ name: stream, shards: 2 }]);
    const env = { KINESIS_ENDPOINT: kinesis.endpoint, STREAM_NAME: stream, LAKE_DIR: lakeDir, CHECKPOINT_FILE: checkpointFile };
    // Originals and resends of the chunk before, so resends fall in most flushes (the killed one too).
    const originals: StoredEvent[] = [];
    for (let chunk = 0; chunk < 10; chunk += 1) {
      originals.push(...(await put(30)));
      if (chunk > 0) await resend(originals.slice((chunk - 1) * 30, (chunk - 1) * 30 + 10));
    }
    await resend(originals.slice(270, 280));
    const victim = runEntry('test/fixtures/killed-after-write.ts', [], { ...env, KILL_AFTER_WRITES: '12' });
    running.push(victim);
    await waitFor('the victim killed itself after its 12th file', () => victim.child.exitCode !== null || victim.child.signalCode !== null, 60_000);
    expect(victim.child.signalCode, victim.stderr()).toBe('SIGKILL');
    const cut = JSON.parse(await readFile(checkpointFile, 'utf8')) as { shards: Record<string, { pending_through: string | null }> };
    expect(Object.values(cut.shards).some((s) => s.pending_through !== null)).toBe(true); // announced, written, not checkpointed
    const filesAtKill = await listFiles(lakeDir);

    const restarted = runEntry('src/node.ts', [], { ...env, BUFFER_MAX_MS: '200', BUFFER_MAX_BYTES: '4096', POLL_INTERVAL_MS: '50' });
    running.push(restarted);
    await waitFor('all events in the lake', async () => (await runQuery(lakeDir, 'SELECT count(DISTINCT event_id) AS n FROM events'))[0]?.n === 300, 90_000);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    expect(await runQuery(lakeDir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: 300, d: 300 }]);
    expect((await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((r) => r.event_id)).toEqual(ids(originals).sort());
    // Every object of the killed run is still there under its name: the replay overwrote, never added beside.
    const filesAfter = await listFiles(lakeDir);
    expect(filesAfter.filter((f) => filesAtKill.includes(f))).toEqual(filesAtKill);
    // A resend read in the same flush as its original is an in-flush duplicate instead (`duplicates`, not logged).
    expect([victim, restarted].flatMap((r) => leftOutCounts(r.stderr())).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);
  }, 180_000);
});

/** The counts of the "left out" log lines (JSON on stderr) of one process. */
function leftOutCounts(stderr: string): number[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes('left out events an earlier flush delivered'))
    .map((line) => (JSON.parse(line) as { count: number }).count);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath, e.name)).sort();
}
