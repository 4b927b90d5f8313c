import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { link, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { CheckpointInUseError, checkpointLockDir, lockCheckpointFile, lockCheckpointFiles } from '../src/consumer/checkpoint-lock';
import { closeSeenThenUnlock } from '../src/consumer/close-seen-then-unlock';
import { startConsumer } from '../src/consumer/consumer';
import type { SeenIndex } from '../src/dedupe/seen-index';
import { openSeenIndex } from '../src/dedupe/seen-index-leveldb';
import { storedEvent } from './fixtures/events';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

// One processor per checkpoint file: a second one (`npm run demo` twice, a restart while the old
// process still flushes) is refused at start with a message naming the holder, for the events
// stream and for the ingest's bad-rows stream (which has no seen index, so nothing locked it before).
describe('a second processor on the same checkpoints (kinesalite)', () => {
  const dirs = tempDirs();
  let kinesis: KinesisEmulator;
  const processes: Running[] = [];

  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, [{ name: 'taps', shards: 1 }, { name: 'taps-bad', shards: 1 }]);
  });

  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
    await kinesis.stop();
    await dirs.cleanup();
  });

  const run = (env: Record<string, string>): Running => {
    const running = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: kinesis.endpoint, STREAM_NAME: 'taps', BAD_ROWS_STREAM_NAME: 'taps-bad', BUFFER_MAX_MS: '300', ...env });
    processes.push(running);
    return running;
  };
  const ready = async (running: Running): Promise<void> => {
    await waitFor('the ready line', () => running.stdout().includes('"event":"ready"') || running.child.exitCode !== null);
    expect(running.child.exitCode, running.stderr()).toBeNull();
  };
  const failure = (running: Running): { error?: string; error_name?: string } =>
    JSON.parse(running.stderr().split('\n').find((line) => line.includes('"processor failed to start"')) ?? '{}') as { error?: string; error_name?: string };

  it('refuses the second with the holder named; it starts once the first has stopped (SIGTERM) or died (SIGKILL), and every event is in the lake once', async () => {
    const dir = await dirs.make();
    const env = { LAKE_DIR: join(dir, 'lake'), CHECKPOINT_FILE: join(dir, 'cp', 'taps.json') };
    const first = run(env);
    await ready(first);

    const second = run(env);
    expect(await second.exited).toBe(1);
    const refused = failure(second);
    expect(refused.error_name).toBe('CheckpointInUseError');
    expect(refused.error).toContain(`checkpoint file ${join(dir, 'cp', 'taps.json')} is in use by another processor (pid ${first.child.pid} on host `);
    expect(refused.error).toContain('Stop the other process first');

    const kinesisClient = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const events = [storedEvent({ anonymous_id: 'lock-1' }), storedEvent({ anonymous_id: 'lock-2' })];
    try {
      await kinesisClient.send(new PutRecordsCommand({ StreamName: 'taps', Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }));
    } finally {
      kinesisClient.destroy();
    }
    const count = async (): Promise<unknown> => (await runQuery(env.LAKE_DIR, 'SELECT count(*) AS n FROM events'))[0]?.n;
    await waitFor('2 events in the lake', async () => (await count().catch(() => 0)) === 2);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const third = run(env);
    await ready(third);
    // The kernel drops the lock of a process that dies without a word.
    third.child.kill('SIGKILL');
    await third.exited;
    const fourth = run(env);
    await ready(fourth);
    fourth.child.kill('SIGTERM');
    expect(await fourth.exited).toBe(0);
    expect(await runQuery(env.LAKE_DIR, 'SELECT anonymous_id FROM events ORDER BY 1')).toEqual([{ anonymous_id: 'lock-1' }, { anonymous_id: 'lock-2' }]);
  });

  it("refuses a second processor that shares only the bad-rows stream's checkpoint file", async () => {
    const dir = await dirs.make();
    const badCheckpoint = join(dir, 'taps-bad.json');
    const first = run({ LAKE_DIR: join(dir, 'lake'), CHECKPOINT_FILE: join(dir, 'a', 'taps.json'), BAD_ROWS_CHECKPOINT_FILE: badCheckpoint });
    await ready(first);
    const second = run({ LAKE_DIR: join(dir, 'lake'), CHECKPOINT_FILE: join(dir, 'b', 'taps.json'), BAD_ROWS_CHECKPOINT_FILE: badCheckpoint });
    expect(await second.exited).toBe(1);
    expect(failure(second).error).toContain(`checkpoint file ${badCheckpoint} is in use by another processor (pid ${first.child.pid} `);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const third = run({ LAKE_DIR: join(dir, 'lake'), CHECKPOINT_FILE: join(dir, 'b', 'taps.json'), BAD_ROWS_CHECKPOINT_FILE: join(dir, 'other-bad.json') });
    await ready(third);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });

  it('a consumer in the same process is refused too (library use), and one DEDUPE_DIR shared by two checkpoint files is named', async () => {
    const dir = await dirs.make();
    const base = { kinesis: emulatorKinesisClientConfig(kinesis.endpoint), streamName: 'taps', lakeDir: join(dir, 'lake'), logger: () => undefined };
    const first = await startConsumer({ ...base, checkpointFile: join(dir, 'taps.json') });
    try {
      await expect(startConsumer({ ...base, checkpointFile: join(dir, 'taps.json') })).rejects.toThrow(/checkpoint file .*taps\.json is in use by another processor \(pid \d+ on host /);
      await expect(startConsumer({ ...base, checkpointFile: join(dir, 'other.json'), seenIndex: { dir: join(dir, 'taps.seen') } })).rejects.toThrow(
        `seen index ${join(dir, 'taps.seen')} is in use by another process: two consumers cannot share one DEDUPE_DIR`,
      );
    } finally {
      await first.stop();
    }
    // The refused start released its own checkpoint lock: other.json can be used now.
    const other = await startConsumer({ ...base, checkpointFile: join(dir, 'other.json') });
    await other.stop();
  });
});

describe('the checkpoint lock folder', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  it('locks several files all or none: refused on the second, it releases the first (the entry locks the events then the bad-rows checkpoint)', async () => {
    const dir = await dirs.make();
    const [events, bad] = [join(dir, 'taps.json'), join(dir, 'taps-bad.json')];
    const badHeld = await lockCheckpointFile(bad);
    try {
      await expect(lockCheckpointFiles([events, bad])).rejects.toThrow(CheckpointInUseError);
      // In this process a lock still held refuses the next taker: the events lock was released.
      const eventsAgain = await lockCheckpointFile(events);
      await eventsAgain.release();
    } finally {
      await badHeld.release();
    }
    const both = await lockCheckpointFiles([events, bad]);
    await expect(lockCheckpointFile(bad)).rejects.toThrow(/is in use by another processor \(pid \d+ on host .*, as written at \d{4}-/);
    await Promise.all(both.map((lock) => lock.release()));
  });

  it('the lock is released when closing the seen index fails (consumer stop and failed start), and the close error still surfaces', async () => {
    const dir = await dirs.make();
    const checkpointFile = join(dir, 'taps.json');
    const lock = await lockCheckpointFile(checkpointFile);
    const index = await openSeenIndex({ dir: join(dir, 'taps.seen') });
    // The index's own close, followed by a failure (as a disk error while closing would be).
    const failingClose: SeenIndex = { ...index, close: async () => { await index.close(); throw new Error('EIO while closing'); } };
    await expect(closeSeenThenUnlock(failingClose, lock)).rejects.toThrow('EIO while closing');
    // In this process a lock still held refuses the next taker.
    const next = await lockCheckpointFile(checkpointFile);
    await next.release();
  });

  it('a damaged lock folder is made again around its LOCK file: a process that made it again first and locked it keeps its lock', async () => {
    const dir = await dirs.make();
    const checkpointFile = join(dir, 'taps.json');
    const first = await lockCheckpointFile(checkpointFile);
    await first.release();
    const lockDir = checkpointLockDir(checkpointFile);
    await writeFile(join(lockDir, 'CURRENT'), '');
    // A hard link keeps the LOCK file's inode in use, so a new file could not get the same number.
    await link(join(lockDir, 'LOCK'), join(dir, 'LOCK-before'));
    const again = await lockCheckpointFile(checkpointFile);
    try {
      // The fcntl lock is on this very file, where another process's repair would look for it.
      expect((await stat(join(lockDir, 'LOCK'))).ino).toBe((await stat(join(dir, 'LOCK-before'))).ino);
    } finally {
      await again.release();
    }
  });

  it('a lock folder a crash damaged (it holds no data) is made again, and locks as before', async () => {
    const checkpointFile = join(await dirs.make(), 'taps.json');
    const first = await lockCheckpointFile(checkpointFile);
    await first.release();
    await writeFile(join(checkpointLockDir(checkpointFile), 'CURRENT'), '');
    const again = await lockCheckpointFile(checkpointFile);
    try {
      await expect(lockCheckpointFile(checkpointFile)).rejects.toThrow(CheckpointInUseError);
    } finally {
      await again.release();
    }
  });
});
