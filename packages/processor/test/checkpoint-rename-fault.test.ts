import type * as FsPromises from 'node:fs/promises';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createFileCheckpointStore } from '../src';
import { renameUnlinksThenFails } from './fixtures/rename-fault';
import { tempDirs } from './fixtures/temp-dir';

vi.mock('node:fs/promises', async (importOriginal) => (await import('./fixtures/rename-fault')).withRenameFaults(importOriginal));

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
afterEach(() => renameUnlinksThenFails.clear());

// The real store on the real file system; only the main file's rename fails as a non-atomic one does.
describe('a save whose main-file rename removed the main file and then failed, then a stop or crash before a save succeeds', () => {
  const saves = {
    'completes the range save 1 announced': [
      { sequenceNumber: '5', ended: false, pendingThrough: '9' },
      { sequenceNumber: '9', ended: false },
    ],
    'announces a range': [
      { sequenceNumber: '5', ended: false },
      { sequenceNumber: '5', ended: false, pendingThrough: '9' },
    ],
  };
  for (const [kind, [first, second]] of Object.entries(saves)) {
    it(`save 2 ${kind}: the next start reads the copy (save 2), not a fresh start, and puts the main file back`, async () => {
      const dir = await dirs.make();
      const path = join(dir, 'cp.json');
      const store = createFileCheckpointStore(path, 'events');
      await store.load();
      await store.save('shardId-000000000000', first!);
      renameUnlinksThenFails.add(path);
      // The save fails, and so does its retry: the main file is gone, the copy holds save 2.
      await expect(store.save('shardId-000000000000', second!)).rejects.toThrow(/EIO/);
      await expect(store.save('shardId-000000000000', second!)).rejects.toThrow(/EIO/);
      const copy = await readFile(`${path}.bak`, 'utf8');
      expect(JSON.parse(copy)).toMatchObject({ save: 2 });
      renameUnlinksThenFails.clear();

      const logs: [string, string][] = [];
      const restarted = createFileCheckpointStore(path, 'events', { log: (level, msg) => void logs.push([level, msg]) });
      expect(await restarted.load()).toEqual(new Map([['shardId-000000000000', second!]]));
      expect(logs).toEqual([['warn', 'checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy']]);
      expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
      expect(await readFile(path, 'utf8')).toBe(copy);
    });
  }

  it('failed saves keep only the newest temp file (one was kept per failed save), and the next start still reads the copy', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    renameUnlinksThenFails.add(path);
    const temps = async (): Promise<string[]> => (await readdir(dir)).filter((name) => name.startsWith('.cp.json.tmp-'));
    for (let n = 2; n <= 51; n += 1) {
      await expect(store.save('shardId-000000000000', { sequenceNumber: String(n), ended: false })).rejects.toThrow(/EIO/);
      const kept = await temps();
      expect(kept, `after failed save ${n - 1}`).toHaveLength(1);
      // The newest: the copy's bytes, written by the same save just before it.
      expect(await readFile(join(dir, kept[0]!), 'utf8')).toBe(await readFile(`${path}.bak`, 'utf8'));
    }
    renameUnlinksThenFails.clear();
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '51', ended: false }]]));
    expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
  });

  it('a retry that succeeds removes the temp file the failed one kept: the main file moved away after it is still a fresh start', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false });
    renameUnlinksThenFails.add(path);
    await expect(store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' })).rejects.toThrow(/EIO/);
    expect((await readdir(dir)).filter((name) => name.startsWith('.cp.json.tmp-'))).toHaveLength(1);
    renameUnlinksThenFails.clear();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 2 });
    // The operator moves the main file away (the copy, save 2, left): no temp file makes it read as a cut save.
    await (await vi.importActual<typeof FsPromises>('node:fs/promises')).rename(path, join(dir, 'moved.json'));
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
    expect(await readdir(dir)).toEqual(['moved.json']);
  });
  it('the copy lost the same way by the next save: the start reads the main file\'s kept temp file (save 2) and puts it back, not a fresh start', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path, 'events');
    await store.load();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    // Save 2 (after its flush's files were durable): the copy written, the main file's rename unlinks it and fails: its temp file kept.
    renameUnlinksThenFails.add(path);
    await expect(store.save('shardId-000000000000', { sequenceNumber: '5', ended: false })).rejects.toThrow(/EIO/);
    // The next save's copy rename fails the same way (the same file system): the copy is gone too.
    renameUnlinksThenFails.add(`${path}.bak`);
    await expect(store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' })).rejects.toThrow(/EIO/);
    renameUnlinksThenFails.clear();
    const left = await readdir(dir);
    expect(left).toHaveLength(1);
    const kept = await readFile(join(dir, left[0]!), 'utf8');
    expect(left[0]).toMatch(/^\.cp\.json\.tmp-/);
    expect(JSON.parse(kept)).toMatchObject({ save: 2 });

    const logs: [string, string, Record<string, unknown> | undefined][] = [];
    const restarted = createFileCheckpointStore(path, 'events', { log: (level, msg, fields) => void logs.push([level, msg, fields]) });
    expect(await restarted.load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false }]]));
    expect(logs).toEqual([
      [
        'warn',
        'checkpoint file and its copy missing or damaged (saves cut mid-rename); read from the newest whole temp file, put back as the checkpoint file',
        { checkpoint_file: path, copy: `${path}.bak`, temp_file: join(dir, left[0]!), save: 2 },
      ],
    ]);
    expect(await readdir(dir)).toEqual(['cp.json']);
    expect(await readFile(path, 'utf8')).toBe(kept);
    // A start that saves nothing leaves the next one the same reading; saves go on from save 2.
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false }]]));
    await restarted.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 3 });
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(await readFile(path, 'utf8'));
  });
});
