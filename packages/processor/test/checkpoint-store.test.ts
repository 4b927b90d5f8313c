import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('file checkpoint store', () => {
  it('starts empty when the file does not exist', async () => {
    const path = join(await dirs.make(), 'nested', 'cp.json');
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
  });

  it('persists every shard across instances, with concurrent saves', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await Promise.all([
      store.save('shardId-000000000000', { sequenceNumber: '100', ended: false }),
      store.save('shardId-000000000001', { sequenceNumber: '200', ended: false, pendingThrough: '250' }),
      store.save('shardId-000000000000', { sequenceNumber: '150', ended: true }),
    ]);
    const reopened = await createFileCheckpointStore(path, 'events').load();
    expect(reopened).toEqual(
      new Map([
        ['shardId-000000000000', { sequenceNumber: '150', ended: true }],
        ['shardId-000000000001', { sequenceNumber: '200', ended: false, pendingThrough: '250' }],
      ]),
    );
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, stream: 'events' });
    expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
    expect(await readFile(join(dir, 'cp.json.bak'), 'utf8')).toBe(await readFile(path, 'utf8'));
  });

  it('refuses a file from another stream or a corrupt file, instead of starting over', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    await expect(createFileCheckpointStore(path, 'other').load()).rejects.toThrow(/belongs to stream "events"/);
    await writeFile(path, '{"version":1,');
    await writeFile(`${path}.bak`, '');
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(
      `checkpoint file ${path} is not valid JSON (13 characters), and so is its copy ${path}.bak (checkpoint file ${path}.bak is not valid JSON (empty)). Restore it from a backup, or move it away`,
    );
    await rm(`${path}.bak`);
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(/not valid JSON \(13 characters\), and it has no copy .*cp\.json\.bak/);
  });

  it('reads a checkpoint file a crash cut (torn, emptied) from its copy, and logs it; an absent one is a fresh start', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    const whole = await readFile(path, 'utf8');
    for (const damaged of [whole.slice(0, whole.length / 2), '', '\0\0\0\0', '{"version":1}']) {
      await writeFile(path, damaged);
      const logs: [string, string, Record<string, unknown> | undefined][] = [];
      const loaded = await createFileCheckpointStore(path, 'events', { log: (level, msg, fields) => void logs.push([level, msg, fields]) }).load();
      expect(loaded).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' }]]));
      expect(logs).toEqual([['warn', 'checkpoint file damaged (a crash cut its last write); read from its copy, the state before that write', expect.objectContaining({ checkpoint_file: path, copy: `${path}.bak` })]]);
    }
    await rm(path);
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
  });

  it('requires load() before save()', async () => {
    const store = createFileCheckpointStore(join(await dirs.make(), 'cp.json'), 'events');
    await expect(store.save('s', { sequenceNumber: '1', ended: false })).rejects.toThrow(/load\(\)/);
  });
});
