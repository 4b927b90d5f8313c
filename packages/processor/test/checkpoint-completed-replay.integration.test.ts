import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, KINESIS_ENGINES, startKinesis, type KinesisEmulator, waitFor } from '@eventline/devstack';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderSink, runQuery, startConsumer, type Sink } from '../src';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const COMPLETED_ONLY_WARNING =
  'checkpoint file one save behind its copy, which only completes ranges the file announced (a crash after a flush, or the file and lake restored from a backup); read from the file: the announced ranges are written again';

/**
 * A one-shard stream, one flush: its announcing save (main file and copy, save n-1), its files, its
 * completing save (n). The folder sink keeps the main file as the announcing save left it (read at
 * the flush's first write: after step 1, before step 4) and the keys it wrote.
 */
describe.each(KINESIS_ENGINES)('a copy one save ahead that only completes the announced range, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
  });
  afterAll(async () => {
    producer?.destroy();
    await kinesis?.stop();
  });

  async function put(stream: string, count: number, from: number) {
    const events = Array.from({ length: count }, (_, i) => storedEvent({ anonymous_id: `dev-${from + i}`, seq: from + i, received_at: new Date().toISOString() }));
    const out = await producer.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }));
    expect(out.FailedRecordCount ?? 0).toBe(0);
    return events;
  }

  async function oneFlush(stream: string): Promise<{ lakeDir: string; checkpointFile: string; announced: string; keys: string[]; eventIds: string[] }> {
    await ensureStreams(kinesis.endpoint, [{ name: stream, shards: 1 }]);
    producer ??= new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const events = await put(stream, 8, 0);
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const checkpointFile = join(dir, 'checkpoints', `${stream}.json`);
    const folder = createFolderSink(lakeDir);
    const keys: string[] = [];
    let announced: string | undefined;
    const sink: Sink = {
      async write(key, bytes) {
        announced ??= await readFile(checkpointFile, 'utf8');
        await folder.write(key, bytes);
        keys.push(key);
      },
    };
    const running = await startConsumer({ kinesis: emulatorKinesisClientConfig(kinesis.endpoint), streamName: stream, lakeDir, checkpointFile, maxAgeMs: 300, pollIntervalMs: 100, sink, logger: () => undefined });
    try {
      await waitFor('the flush delivered', () => running.stats().rowsDelivered >= events.length);
    } finally {
      await running.stop();
    }
    // The pair a crash between the completing save's two writes leaves: the copy one save ahead,
    // completing exactly the range the main file announced.
    expect(announced).toBeDefined();
    const before = JSON.parse(announced!) as { save: number; shards: Record<string, { pending_through: string | null }> };
    const after = JSON.parse(await readFile(`${checkpointFile}.bak`, 'utf8')) as { save: number; shards: Record<string, { sequence_number: string; pending_through: string | null }> };
    expect(after.save).toBe(before.save + 1);
    const [shard] = Object.keys(before.shards);
    expect(before.shards[shard!]!.pending_through).not.toBeNull();
    expect(after.shards[shard!]).toMatchObject({ sequence_number: before.shards[shard!]!.pending_through, pending_through: null });
    return { lakeDir, checkpointFile, announced: announced!, keys, eventIds: events.map((e) => e.event_id) };
  }

  async function restart(stream: string, lakeDir: string, checkpointFile: string, rows = 8) {
    const warnings: string[] = [];
    const running = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: stream,
      lakeDir,
      checkpointFile,
      maxAgeMs: 300,
      pollIntervalMs: 100,
      logger: (level, msg) => void (level === 'warn' && warnings.push(msg)),
    });
    try {
      await waitFor(`${rows} rows delivered`, () => running.stats().rowsDelivered + running.stats().alreadyDelivered >= rows);
    } finally {
      await running.stop();
    }
    return { stats: running.stats(), warnings };
  }

  const lakeIds = async (lakeDir: string): Promise<string[]> => (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((row) => row.event_id as string);

  it('a crash between the copy and the main file of the completing save: the range is replayed, each event once in the lake and in the seen index', async () => {
    const stream = `completed-crash-${engine}`;
    const { lakeDir, checkpointFile, announced, keys, eventIds } = await oneFlush(stream);
    const files = await readdir(lakeDir, { recursive: true });
    // The crash: the main file's write of the completing save never happened.
    await writeFile(checkpointFile, announced);

    const { stats, warnings } = await restart(stream, lakeDir, checkpointFile);
    expect(warnings).toContain(COMPLETED_ONLY_WARNING);
    // Written again, not left out as already delivered: the seen index knows them as these records' own claims.
    expect(stats).toMatchObject({ recordsRead: 8, rowsDelivered: 8, alreadyDelivered: 0, duplicates: 0, errors: 0, seenIds: 8 });
    expect(await lakeIds(lakeDir)).toEqual([...eventIds].sort());
    // The same files under the same names, none added.
    expect(await readdir(lakeDir, { recursive: true })).toEqual(files);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('the main file and the lake restored from a backup made between the last two saves (the .bak left): the flush\'s files are written again', async () => {
    const stream = `completed-restore-${engine}`;
    const { lakeDir, checkpointFile, announced, keys, eventIds } = await oneFlush(stream);
    // The backup: the main file after the announcing save, the lake before the flush's files.
    await writeFile(checkpointFile, announced);
    for (const key of keys) {
      expect((await stat(join(lakeDir, key))).isFile()).toBe(true);
      await rm(join(lakeDir, key));
    }
    expect(await lakeIds(lakeDir).catch(() => [])).toEqual([]);

    const { stats, warnings } = await restart(stream, lakeDir, checkpointFile);
    expect(warnings).toContain(COMPLETED_ONLY_WARNING);
    expect(stats).toMatchObject({ rowsDelivered: 8, alreadyDelivered: 0, errors: 0 });
    for (const key of keys) expect((await stat(join(lakeDir, key))).isFile()).toBe(true);
    expect(await lakeIds(lakeDir)).toEqual([...eventIds].sort());
  });

  // The crash cut the completing save's main file itself: its positions are the copy's, whose flush
  // wrote its files before the save began. Read from the copy, nothing replayed and nothing skipped.
  const mainCuts = {
    'torn, its temp file left': async (checkpointFile: string, tempFile: string) => {
      const whole = await readFile(checkpointFile, 'utf8');
      await writeFile(tempFile, whole);
      await writeFile(checkpointFile, whole.slice(0, whole.length / 2));
    },
    'torn, no temp file left': async (checkpointFile: string) => writeFile(checkpointFile, (await readFile(checkpointFile, 'utf8')).slice(0, 40)),
    'absent, its temp file left': async (checkpointFile: string, tempFile: string) => rename(checkpointFile, tempFile),
  };
  it.each(Object.entries(mainCuts))('a crash that cut the main file of the completing save (%s): the copy is read, the next records delivered once, none again', async (cut, leave) => {
    const stream = `completed-main-cut-${cut.replace(/\W+/g, '-')}-${engine}`;
    const { lakeDir, checkpointFile, eventIds } = await oneFlush(stream);
    const files = await readdir(lakeDir, { recursive: true });
    await leave(checkpointFile, join(checkpointFile, '..', `.${stream}.json.tmp-4242-0badc0de`));
    const later = await put(stream, 4, 8);

    const { stats, warnings } = await restart(stream, lakeDir, checkpointFile, 4);
    expect(warnings.some((w) => w.endsWith('read from its copy'))).toBe(true);
    expect(warnings).not.toContain(COMPLETED_ONLY_WARNING);
    // Only the records after the copy's position were read: the completed flush was not replayed, nor skipped.
    expect(stats).toMatchObject({ recordsRead: 4, rowsDelivered: 4, alreadyDelivered: 0, duplicates: 0, errors: 0 });
    expect(await lakeIds(lakeDir)).toEqual([...eventIds, ...later.map((e) => e.event_id)].sort());
    // The first flush's files untouched, the new ones added.
    expect(await readdir(lakeDir, { recursive: true })).toEqual(expect.arrayContaining(files));
  });
});
