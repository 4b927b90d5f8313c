import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const SHARD = 'shardId-000000000000';

/** A checkpoint file as releases before the save counter wrote it (no `"save"`). */
function previousReleaseFile(sequenceNumber: string, pendingThrough: string | null): string {
  const shards = { [SHARD]: { sequence_number: sequenceNumber, ended: false, pending_through: pendingThrough, updated_at: '2026-11-20T10:00:00.000Z' } };
  return JSON.stringify({ version: 1, stream: 'events', shards }, null, 2) + '\n';
}

/**
 * The first save after an upgrade writes the copy (save 1), then the main file. Each state a crash
 * in it leaves, made from the files that save really wrote: `before` is the upgraded release's file.
 */
const crashes: Record<string, { leave: (path: string, dir: string, before: string) => Promise<void>; reads: 'before' | 'save 1'; mainWholeBehind?: true }> = {
  "during the copy's temp file": {
    reads: 'before',
    async leave(path, dir, before) {
      await writeFile(join(dir, '.cp.json.bak.tmp-4242-0badc0de'), (await readFile(`${path}.bak`, 'utf8')).slice(0, 10));
      await rm(`${path}.bak`);
      await writeFile(path, before);
    },
  },
  "during the copy's rename (torn)": {
    reads: 'before',
    async leave(path, _dir, before) {
      await writeFile(`${path}.bak`, (await readFile(`${path}.bak`, 'utf8')).slice(0, 25));
      await writeFile(path, before);
    },
  },
  "during the main file's temp file": {
    reads: 'save 1',
    mainWholeBehind: true,
    async leave(path, dir, before) {
      await writeFile(join(dir, '.cp.json.tmp-4242-0badc0de'), (await readFile(path, 'utf8')).slice(0, 10));
      await writeFile(path, before);
    },
  },
  "during the main file's rename (unlinked, its temp file left)": {
    reads: 'save 1',
    async leave(path, dir) {
      await rename(path, join(dir, '.cp.json.tmp-4242-0badc0de'));
    },
  },
  "during the main file's rename (torn)": {
    reads: 'save 1',
    async leave(path) {
      await writeFile(path, (await readFile(path, 'utf8')).slice(0, 25));
    },
  },
  'after the save': { reads: 'save 1', async leave() {} },
};

describe('checkpoint file: the first save after an upgrade from a release without the save counter', () => {
  // Both kinds of first save: announcing a range, and completing the range the old release announced.
  // A whole main file one save behind a copy that only completes its announced range is read (the
  // range replayed, as a restore of file and lake can leave the same pair: see checkpoint-completion.ts).
  const firstSaves = {
    'an announcement': { before: previousReleaseFile('100', null), save: { sequenceNumber: '100', ended: false, pendingThrough: '200' }, completes: false },
    "the completion of the old release's pending range": { before: previousReleaseFile('100', '200'), save: { sequenceNumber: '200', ended: false }, completes: true },
  };
  for (const [kind, { before, save, completes }] of Object.entries(firstSaves)) {
    for (const [crash, crashCase] of Object.entries(crashes)) {
      const { leave } = crashCase;
      const reads = completes && crashCase.mainWholeBehind ? 'before' : crashCase.reads;
      it(`${kind}, a crash ${crash}: the start reads ${reads === 'before' ? "the upgraded release's file" : 'save 1'}, with no refusal`, async () => {
        const dir = await dirs.make();
        const path = join(dir, 'cp.json');
        await writeFile(path, before);
        const upgraded = createFileCheckpointStore(path, 'events');
        const old = await upgraded.load();
        await upgraded.save(SHARD, save);
        await leave(path, dir, before);
        const expected = reads === 'before' ? old : new Map([[SHARD, save]]);
        expect(await createFileCheckpointStore(path, 'events').load()).toEqual(expected);
        // Read again by a start that saves nothing in between (the main file was put back), and temp files gone.
        expect(await createFileCheckpointStore(path, 'events').load()).toEqual(expected);
        expect((await readdir(dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
      });
    }
  }

  it('failed first saves (the main file not writable), then a crash: the copy is read', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const before = previousReleaseFile('100', null);
    await writeFile(path, before);
    const upgraded = createFileCheckpointStore(path, 'events');
    await upgraded.load();
    await rename(path, join(dir, 'kept.json'));
    await mkdir(path);
    await expect(upgraded.save(SHARD, { sequenceNumber: '100', ended: false, pendingThrough: '200' })).rejects.toThrow();
    await expect(upgraded.save(SHARD, { sequenceNumber: '100', ended: false, pendingThrough: '300' })).rejects.toThrow();
    await rmdir(path);
    await rename(join(dir, 'kept.json'), path);
    const logs: string[] = [];
    expect(await createFileCheckpointStore(path, 'events', { log: (_level, msg) => void logs.push(msg) }).load()).toEqual(
      new Map([[SHARD, { sequenceNumber: '100', ended: false, pendingThrough: '300' }]]),
    );
    expect(logs).toEqual(['checkpoint file older than its copy (a crash cut its last save, or the disk lost or reordered a write); read from its copy']);
  });

  it('still refuses a file without a counter that is not the one the copy was saved after (restored alone from an older backup)', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    await writeFile(path, previousReleaseFile('500', null));
    const upgraded = createFileCheckpointStore(path, 'events');
    await upgraded.load();
    await upgraded.save(SHARD, { sequenceNumber: '500', ended: false, pendingThrough: '600' });
    const copy = await readFile(`${path}.bak`, 'utf8');
    // The nightly backup from before the upgrade, further back than the file the first save followed.
    const restored = previousReleaseFile('100', null);
    await writeFile(path, restored);
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(
      new RegExp(`^checkpoint file ${path} \\(no save counter.*\\) is not the file its copy ${path}\\.bak \\(save 1\\) was saved after`),
    );
    expect(await readFile(path, 'utf8')).toBe(restored);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(copy);
  });

  it('says so when the copy next to a file without a counter names no file at all (a fresh start\'s first save)', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cp.json');
    const fresh = createFileCheckpointStore(path, 'events');
    await fresh.load();
    await fresh.save(SHARD, { sequenceNumber: '500', ended: false });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).not.toHaveProperty('follows_sha256');
    await writeFile(path, previousReleaseFile('100', null));
    const refused = createFileCheckpointStore(path, 'events').load();
    await expect(refused).rejects.toThrow(
      new RegExp(`^checkpoint file ${path} \\(no save counter.*\\) sits next to a copy ${path}\\.bak \\(save 1\\) that does not name the file it followed`),
    );
  });
});
