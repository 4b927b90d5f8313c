import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** A store of stream `events` at `<fresh dir>/cp.json`, loaded (empty) and ready to save. */
async function loadedStore(): Promise<{ dir: string; path: string; store: ReturnType<typeof createFileCheckpointStore> }> {
  const dir = await dirs.make();
  const path = join(dir, 'cp.json');
  const store = createFileCheckpointStore(path, 'events');
  await store.load();
  return { dir, path, store };
}

describe('file checkpoint store', () => {
  it('starts empty when the file does not exist', async () => {
    const path = join(await dirs.make(), 'nested', 'cp.json');
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
  });

  it('persists every shard across instances, with concurrent saves', async () => {
    const { dir, path, store } = await loadedStore();
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
    const { path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    await expect(createFileCheckpointStore(path, 'other').load()).rejects.toThrow(/belongs to stream "events"/);
    await writeFile(path, '{"version":1,');
    await writeFile(`${path}.bak`, '');
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(
      `checkpoint file ${path} is not valid JSON (13 characters), and so is its copy ${path}.bak (checkpoint file ${path}.bak is not valid JSON (empty)). Restore it from a backup, or move it and its copy (.bak) away`,
    );
    await rm(`${path}.bak`);
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(/not valid JSON \(13 characters\), and it has no copy .*cp\.json\.bak.*move it and its copy \(\.bak\) away/);
  });

  it('reads a checkpoint file a crash cut (torn, emptied) from its copy, and logs it; an absent one is a fresh start', async () => {
    const { path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '1', ended: false });
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    const whole = await readFile(path, 'utf8');
    for (const damaged of [whole.slice(0, whole.length / 2), '', '\0\0\0\0', '{"version":1}']) {
      await writeFile(path, damaged);
      const logs: [string, string, Record<string, unknown> | undefined][] = [];
      const loaded = await createFileCheckpointStore(path, 'events', { log: (level, msg, fields) => void logs.push([level, msg, fields]) }).load();
      expect(loaded).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' }]]));
      expect(logs).toEqual([['warn', 'checkpoint file damaged (a crash cut its last write); read from its copy', expect.objectContaining({ checkpoint_file: path, copy: `${path}.bak` })]]);
    }
    await rm(path);
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
  });

  it('reads the copy when the main file is absent because a save was cut mid-rename (its temp file left), and removes the temp file', async () => {
    const { dir, path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false });
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    // A rename that unlinks the target and then renames, cut in between: the temp file holds save 2.
    await rename(path, join(dir, '.cp.json.tmp-4242-0badc0de'));
    const logs: [string, string][] = [];
    const loaded = await createFileCheckpointStore(path, 'events', { log: (level, msg) => void logs.push([level, msg]) }).load();
    expect(loaded).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' }]]));
    expect(logs).toEqual([['warn', 'checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy']]);
    // The main file is put back from the copy before the temp file goes.
    expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
    expect(await readFile(path, 'utf8')).toBe(await readFile(`${path}.bak`, 'utf8'));
  });

  it('a start that reads the copy and ends before its first save leaves the next start the same positions (main file put back from the copy)', async () => {
    const cuts = {
      'main unlinked mid-rename, its temp file left': async (path: string, dir: string) => rename(path, join(dir, '.cp.json.tmp-4242-0badc0de')),
      'main torn': async (path: string) => writeFile(path, (await readFile(path, 'utf8')).slice(0, 30)),
      'main one save older': async (path: string, _dir: string, older: string) => writeFile(path, older),
    };
    for (const [cut, damage] of Object.entries(cuts)) {
      const { dir, path, store } = await loadedStore();
      await store.save('shardId-000000000000', { sequenceNumber: '100', ended: false });
      await store.save('shardId-000000000000', { sequenceNumber: '200', ended: false });
      const older = await readFile(path, 'utf8');
      await store.save('shardId-000000000000', { sequenceNumber: '300', ended: false });
      await damage(path, dir, older);
      const expected = new Map([['shardId-000000000000', { sequenceNumber: '300', ended: false }]]);
      // Start 1 reads the copy, then stops before saving (Kinesis unreachable at listShards, SIGTERM).
      expect(await createFileCheckpointStore(path, 'events').load(), cut).toEqual(expected);
      // Start 2 (the supervisor's restart): before, it found neither main nor temp file, removed the copy and replayed everything.
      const logs: string[] = [];
      expect(await createFileCheckpointStore(path, 'events', { log: (_level, msg) => void logs.push(msg) }).load(), cut).toEqual(expected);
      expect(logs, cut).toEqual([]);
      expect(await readdir(dir), cut).toEqual(['cp.json', 'cp.json.bak']);
    }
  });

  it('refuses a main file restored alone from a backup (older than its copy by more than one save, or without a counter), naming both files', async () => {
    const { path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '100', ended: false });
    const backup = await readFile(path, 'utf8'); // the nightly backup of the checkpoint file
    await store.save('shardId-000000000000', { sequenceNumber: '300', ended: false, pendingThrough: '500' });
    await store.save('shardId-000000000000', { sequenceNumber: '500', ended: false });
    const copy = await readFile(`${path}.bak`, 'utf8');
    const restores = {
      'a backup two saves older': backup,
      'a backup from before the copy existed (no counter)': JSON.stringify({ ...JSON.parse(backup), save: undefined }),
      'a backup with save 0': JSON.stringify({ ...JSON.parse(backup), save: 0 }),
    };
    for (const [restore, text] of Object.entries(restores)) {
      await writeFile(path, text);
      const error = await createFileCheckpointStore(path, 'events').load().then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message, restore).toMatch(new RegExp(`^checkpoint file ${path} \\(.*\\) is older than its copy ${path}\\.bak \\(save 3\\)`));
      expect(error?.message, restore).toContain(`remove ${path}.bak, or restore it from the same backup`);
      expect(error?.message, restore).toContain(`replace ${path} with ${path}.bak`);
      // Nothing chosen, nothing rewritten.
      expect(await readFile(path, 'utf8'), restore).toBe(text);
      expect(await readFile(`${path}.bak`, 'utf8'), restore).toBe(copy);
    }
    // What the error says for a restore: the copy removed, the restored file is read.
    await writeFile(path, backup);
    await rm(`${path}.bak`);
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '100', ended: false }]]));
  });

  it('advances the save counter only when both files were written: failed saves leave a start the newest state, not a refusal', async () => {
    const { dir, path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '100', ended: false });
    // The main file cannot be written (as EPERM on an immutable file, or ENOSPC, would): a folder in its
    // place makes the rename fail. Each save writes the copy, then fails on the main file.
    await rename(path, join(dir, 'kept.json'));
    await mkdir(path);
    await expect(store.save('shardId-000000000000', { sequenceNumber: '300', ended: false, pendingThrough: '500' })).rejects.toThrow();
    await expect(store.save('shardId-000000000000', { sequenceNumber: '500', ended: false })).rejects.toThrow();
    // Both attempts wrote the number after the last whole save: the gap stays one.
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toMatchObject({ save: 2 });
    // The cause fixed, the process stops (or crashes) before another save; the next start reads the copy.
    await rmdir(path);
    await rename(join(dir, 'kept.json'), path);
    const logs: string[] = [];
    const restarted = createFileCheckpointStore(path, 'events', { log: (_level, msg) => void logs.push(msg) });
    expect(await restarted.load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '500', ended: false }]]));
    expect(logs).toEqual(['checkpoint file older than its copy (a crash cut its last save, or the disk lost or reordered a write); read from its copy']);
    // A retry in the same process that succeeds writes that number to both files.
    await store.save('shardId-000000000000', { sequenceNumber: '700', ended: false });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 2 });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toMatchObject({ save: 2 });
    // Same number on both files: the main file is read.
    await writeFile(`${path}.bak`, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), shards: {} }));
    expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '700', ended: false }]]));
  });

  it('treats a main file moved away as a fresh start and removes its copy, so a save cut later cannot resume the old positions', async () => {
    const { dir, path, store: old } = await loadedStore();
    await old.save('shardId-000000000000', { sequenceNumber: '900', ended: false });
    // An old crash left a temp file of save 1; the operator moves the checkpoint file away (not its copy).
    await writeFile(join(dir, '.cp.json.tmp-4242-00000001'), JSON.stringify({ version: 1, stream: 'events', save: 0, shards: {} }));
    await rename(path, join(dir, 'moved.json'));
    const logs: [string, string][] = [];
    const fresh = createFileCheckpointStore(path, 'events', { log: (level, msg) => void logs.push([level, msg]) });
    expect(await fresh.load()).toEqual(new Map());
    expect(logs).toEqual([['warn', 'checkpoint file absent (moved away): a fresh start, every shard read from its start; its copy was removed']]);
    expect(await readdir(dir)).toEqual(['moved.json']);
    // No copy of the old run is left to be read: a main file found torn before the new run's first
    // save finished (the order of earlier releases, main file first, left exactly this) is refused,
    // never read as the old run's 900 (records the new lake never got would have been skipped).
    await writeFile(path, '{"version":1,"stre');
    await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(/and it has no copy/);
  });

  it('reads the newer of two whole files by their save counter (a disk that reordered writes left the main file older)', async () => {
    const { path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false });
    const older = await readFile(path, 'utf8');
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 2 });
    await writeFile(path, older);
    const logs: [string, string][] = [];
    const reread = createFileCheckpointStore(path, 'events', { log: (level, msg) => void logs.push([level, msg]) });
    expect(await reread.load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' }]]));
    expect(logs).toEqual([['warn', 'checkpoint file older than its copy (a crash cut its last save, or the disk lost or reordered a write); read from its copy']]);
    // Saves go on from the newer counter.
    await reread.save('shardId-000000000000', { sequenceNumber: '12', ended: false });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 3 });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toMatchObject({ save: 3 });
  });

  it('reads the main file when its copy, one save ahead, only completes ranges it announced (a crash after a flush, or file and lake restored from a backup): the ranges are replayed', async () => {
    const { path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' });
    const announced = await readFile(path, 'utf8');
    await store.save('shardId-000000000000', { sequenceNumber: '9', ended: false });
    await writeFile(path, announced);
    const logs: [string, string, Record<string, unknown> | undefined][] = [];
    const reread = createFileCheckpointStore(path, 'events', { log: (level, msg, fields) => void logs.push([level, msg, fields]) });
    expect(await reread.load()).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false, pendingThrough: '9' }]]));
    expect(logs).toEqual([
      [
        'warn',
        'checkpoint file one save behind its copy, which only completes ranges the file announced (a crash after a flush, or the file and lake restored from a backup); read from the file: the announced ranges are written again',
        { checkpoint_file: path, copy: `${path}.bak`, file_save: 1, copy_save: 2, shards: ['shardId-000000000000'] },
      ],
    ]);
    // The replayed flush saves over the copy with the next number: a crash then reads the copy again.
    await reread.save('shardId-000000000000', { sequenceNumber: '9', ended: false });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toMatchObject({ save: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ save: 2 });
  });

  describe('a crash that cut the main file itself (torn, emptied, or absent with its temp file) reads the copy, whether its save completed a range or announced one', () => {
    // Save 2 of each kind, written by the store: the copy holds it whole, the main file is what the crash left.
    const saves = {
      'completed the range save 1 announced': [
        { sequenceNumber: '5', ended: false, pendingThrough: '9' },
        { sequenceNumber: '9', ended: false },
      ],
      'announced a range': [
        { sequenceNumber: '5', ended: false },
        { sequenceNumber: '5', ended: false, pendingThrough: '9' },
      ],
    };
    const temp = (dir: string) => join(dir, '.cp.json.tmp-4242-0badc0de');
    const DAMAGED = 'checkpoint file damaged (a crash cut its last write); read from its copy';
    const CUT_RENAME = 'checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy';
    const cuts: Record<string, { leave: (path: string, dir: string) => Promise<void>; warning: string }> = {
      // A rename that copies the temp file over the target, cut: the temp file is whole, the target torn.
      'torn, its temp file left': {
        warning: DAMAGED,
        async leave(path, dir) {
          const whole = await readFile(path, 'utf8');
          await writeFile(temp(dir), whole);
          await writeFile(path, whole.slice(0, whole.length / 2));
        },
      },
      // A rename that failed after tearing the target (the writer removes its temp file), then a crash before the retry.
      'torn, no temp file left': { warning: DAMAGED, leave: async (path) => writeFile(path, (await readFile(path, 'utf8')).slice(0, 40)) },
      emptied: { warning: DAMAGED, leave: async (path) => writeFile(path, '') },
      // A rename that unlinks the target and then renames, cut in between.
      'absent, its temp file left': { warning: CUT_RENAME, leave: async (path, dir) => rename(path, temp(dir)) },
    };
    for (const [kind, [first, second]] of Object.entries(saves)) {
      for (const [cut, { leave, warning }] of Object.entries(cuts)) {
        it(`save 2 ${kind}, its main file ${cut}: the copy (save 2) is read and the main file put back from it`, async () => {
          const { dir, path, store } = await loadedStore();
          await store.save('shardId-000000000000', first!);
          await store.save('shardId-000000000000', second!);
          const copy = await readFile(`${path}.bak`, 'utf8');
          await leave(path, dir);
          const logs: [string, string][] = [];
          expect(await createFileCheckpointStore(path, 'events', { log: (level, msg) => void logs.push([level, msg]) }).load()).toEqual(new Map([['shardId-000000000000', second!]]));
          expect(logs).toEqual([['warn', warning]]);
          expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
          expect(await readFile(path, 'utf8')).toBe(copy);
        });
      }
      it(`save 2 ${kind}, its main file absent with no temp file (moved away): a fresh start, the copy removed`, async () => {
        const { dir, path, store } = await loadedStore();
        await store.save('shardId-000000000000', first!);
        await store.save('shardId-000000000000', second!);
        await rm(path);
        expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
        expect(await readdir(dir)).toEqual([]);
      });
    }
  });

  describe('a copy one save ahead that does more than complete announced ranges is read (today\'s rule); completions alone, of several shards, are not', () => {
    type Entry = { sequence_number: string | null; ended?: boolean; pending_through: string | null };
    const file = (save: number, shards: Record<string, Entry>): string =>
      JSON.stringify({
        version: 1,
        stream: 'events',
        save,
        shards: Object.fromEntries(Object.entries(shards).map(([id, e]) => [id, { ended: false, ...e, updated_at: `2026-11-27T10:00:0${save}.000Z` }])),
      });
    const main = { a: { sequence_number: '5', pending_through: '9' }, b: { sequence_number: '20', pending_through: '30' } };
    const cases: Record<string, { copy: Record<string, Entry>; reads: 'main' | 'copy' }> = {
      'completes both shards\' ranges (failed saves, then a crash)': { copy: { a: { sequence_number: '9', pending_through: null }, b: { sequence_number: '30', pending_through: null } }, reads: 'main' },
      'completes one range and announces the next in the same shard': { copy: { a: { sequence_number: '9', pending_through: '12' }, b: main.b }, reads: 'copy' },
      'completes one shard\'s range and changes another shard': { copy: { a: { sequence_number: '9', pending_through: null }, b: { sequence_number: '20', pending_through: '35' } }, reads: 'copy' },
      'completes a range and marks the shard ended': { copy: { a: { sequence_number: '9', ended: true, pending_through: null }, b: main.b }, reads: 'copy' },
      'completes a range and adds a shard': { copy: { a: { sequence_number: '9', pending_through: null }, b: main.b, c: { sequence_number: null, pending_through: null } }, reads: 'copy' },
      'moves a shard past its announced range': { copy: { a: { sequence_number: '10', pending_through: null }, b: main.b }, reads: 'copy' },
    };
    const asCheckpoints = (shards: Record<string, Entry>) =>
      new Map(Object.entries(shards).map(([id, e]) => [id, { sequenceNumber: e.sequence_number, ended: e.ended ?? false, ...(e.pending_through ? { pendingThrough: e.pending_through } : {}) }]));
    for (const [kind, { copy, reads }] of Object.entries(cases)) {
      it(`a copy that ${kind}: reads the ${reads === 'main' ? 'main file' : 'copy'}`, async () => {
        const path = join(await dirs.make(), 'cp.json');
        await writeFile(path, file(4, main));
        await writeFile(`${path}.bak`, file(5, copy));
        expect(await createFileCheckpointStore(path, 'events').load()).toEqual(asCheckpoints(reads === 'main' ? main : copy));
      });
    }
  });

  it('reads the main file when a crash cut the copy (written first): absent, torn, or its temp file left', async () => {
    const { dir, path, store } = await loadedStore();
    await store.save('shardId-000000000000', { sequenceNumber: '5', ended: false });
    const whole = await readFile(`${path}.bak`, 'utf8');
    for (const cut of [undefined, whole.slice(0, 20), '']) {
      if (cut === undefined) await rm(`${path}.bak`);
      else await writeFile(`${path}.bak`, cut);
      await writeFile(join(dir, '.cp.json.bak.tmp-4242-0badc0de'), whole.slice(0, 10));
      const logs: string[] = [];
      expect(await createFileCheckpointStore(path, 'events', { log: (_level, msg) => void logs.push(msg) }).load()).toEqual(
        new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false }]]),
      );
      expect(logs).toEqual([]);
      expect((await readdir(dir)).filter((name) => name.includes('tmp'))).toEqual([]);
    }
  });

  describe('neither the main file nor its copy whole: the temp files a cut save left decide', () => {
    const saved = (save: number, sequenceNumber: string): string =>
      `${JSON.stringify({ version: 1, stream: 'events', save, shards: { 'shardId-000000000000': { sequence_number: sequenceNumber, ended: false, pending_through: null, updated_at: '2026-11-27T10:00:00.000Z' } } }, null, 2)}\n`;
    const mainTemp = (dir: string, hex: string) => join(dir, `.cp.json.tmp-4242-${hex}`);
    const copyTemp = (dir: string, hex: string) => join(dir, `.cp.json.bak.tmp-4242-${hex}`);
    const at = (sequenceNumber: string) => new Map([['shardId-000000000000', { sequenceNumber, ended: false }]]);

    it('main file absent with its temp file, the copy torn: the newest whole temp file of either is read (by counter) and put back', async () => {
      const dir = await dirs.make();
      const path = join(dir, 'cp.json');
      await writeFile(`${path}.bak`, saved(3, '7').slice(0, 30));
      await writeFile(mainTemp(dir, '00000001'), saved(2, '5'));
      await writeFile(copyTemp(dir, '00000002'), saved(3, '7'));
      await writeFile(copyTemp(dir, '00000003'), saved(4, '9').slice(0, 50));
      const logs: string[] = [];
      expect(await createFileCheckpointStore(path, 'events', { log: (_level, msg) => void logs.push(msg) }).load()).toEqual(at('7'));
      expect(logs).toEqual(['checkpoint file and its copy missing or damaged (saves cut mid-rename); read from the newest whole temp file, put back as the checkpoint file']);
      expect(await readdir(dir)).toEqual(['cp.json', 'cp.json.bak']);
      expect(await readFile(path, 'utf8')).toBe(saved(3, '7'));
    });

    it('of two whole temp files with one counter (a save and its retry), the main file\'s is read: at worst the older state, a replay', async () => {
      const dir = await dirs.make();
      const path = join(dir, 'cp.json');
      await writeFile(copyTemp(dir, '00000001'), saved(2, '9'));
      await writeFile(mainTemp(dir, 'ffffffff'), saved(2, '5'));
      expect(await createFileCheckpointStore(path, 'events').load()).toEqual(at('5'));
    });

    it('main file and copy both torn, the main file\'s temp file whole (a crash tore the rename of each): the temp file is read, not refused', async () => {
      const dir = await dirs.make();
      const path = join(dir, 'cp.json');
      await writeFile(path, saved(2, '5').slice(0, 20));
      await writeFile(`${path}.bak`, '');
      await writeFile(mainTemp(dir, '00000001'), saved(2, '5'));
      expect(await createFileCheckpointStore(path, 'events').load()).toEqual(at('5'));
      expect(await readFile(path, 'utf8')).toBe(saved(2, '5'));
    });

    it('only torn temp files left next to an absent main file and copy: the start refuses, naming them, and removes nothing', async () => {
      const dir = await dirs.make();
      const path = join(dir, 'cp.json');
      await writeFile(mainTemp(dir, '00000001'), saved(2, '5').slice(0, 40));
      await writeFile(copyTemp(dir, '00000002'), '');
      await expect(createFileCheckpointStore(path, 'events').load()).rejects.toThrow(
        `checkpoint file ${path} is absent, a save of it cut mid-rename (its temp file is left), and its copy ${path}.bak is absent too. ` +
          `No temp file a cut save left is whole either: checkpoint file ${mainTemp(dir, '00000001')} is not valid JSON (40 characters); checkpoint file ${copyTemp(dir, '00000002')} is not valid JSON (empty). ` +
          'Restore it from a backup, or move it and its copy (.bak) away, with any temp files .cp.json.tmp-… and .cp.json.bak.tmp-… next to them, to read every shard from its start',
      );
      expect(await readdir(dir)).toEqual(['.cp.json.bak.tmp-4242-00000002', '.cp.json.tmp-4242-00000001']);
    });

    it('no temp file of the main file (never written: the first save cut while writing its copy): a fresh start, whatever the copy\'s temp files hold', async () => {
      for (const left of [saved(1, '5'), saved(1, '5').slice(0, 30)]) {
        const dir = await dirs.make();
        const path = join(dir, 'cp.json');
        await writeFile(copyTemp(dir, '00000001'), left);
        expect(await createFileCheckpointStore(path, 'events').load()).toEqual(new Map());
        expect(await readdir(dir)).toEqual([]);
      }
    });
  });

  it('requires load() before save()', async () => {
    const store = createFileCheckpointStore(join(await dirs.make(), 'cp.json'), 'events');
    await expect(store.save('s', { sequenceNumber: '1', ended: false })).rejects.toThrow(/load\(\)/);
  });
});
