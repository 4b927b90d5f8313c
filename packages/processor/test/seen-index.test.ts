import { ClassicLevel } from 'classic-level';
import { mkdir, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSeenIndex } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const ev = (key: string, sequenceNumber: string) => ({ key, sequenceNumber });

describe('seen index (LevelDB)', () => {
  it('an id belongs to the record that claimed it first; a replay of that record is not a duplicate', async () => {
    const index = await openSeenIndex({ dir: join(await dirs.make(), 'seen') });
    try {
      expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '2')])).toEqual(new Set());
      // The same flush again (a replay after a crash): same answer.
      expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '2')])).toEqual(new Set());
      // A resend: later on the same shard, or on another shard (after a reshard or another key).
      expect(await index.claim('shard-0', [ev('a', '9'), ev('c', '10')])).toEqual(new Set(['a']));
      expect(await index.claim('shard-1', [ev('b', '2'), ev('c', '3')])).toEqual(new Set(['b', 'c']));
      expect(index.size()).toBe(3);
    } finally {
      await index.close();
    }
  });

  it('claims survive a restart', async () => {
    const dir = join(await dirs.make(), 'seen');
    const first = await openSeenIndex({ dir });
    await first.claim('shard-0', [ev('a', '1')]);
    await first.close();
    const second = await openSeenIndex({ dir });
    try {
      expect(second.size()).toBe(1);
      expect(await second.claim('shard-0', [ev('a', '1')])).toEqual(new Set());
      expect(await second.claim('shard-0', [ev('a', '2')])).toEqual(new Set(['a']));
    } finally {
      await second.close();
    }
  });

  it('a folder a crash damaged (CURRENT emptied or missing, MANIFEST cut) is repaired at open, logged, and keeps its claims', async () => {
    for (const damage of ['CURRENT emptied', 'CURRENT missing (claims in the log)', 'CURRENT missing (claims in tables)', 'MANIFEST cut'] as const) {
      const dir = join(await dirs.make(), 'seen');
      const first = await openSeenIndex({ dir });
      await first.claim('shard-0', [ev('app/a', '1'), ev('app/b', '2')]);
      await first.close();
      if (damage === 'CURRENT emptied') await writeFile(join(dir, 'CURRENT'), '');
      else if (damage.startsWith('CURRENT missing')) {
        if (damage.endsWith('(claims in tables)')) {
          const raw = new ClassicLevel(dir);
          await raw.compactRange('\0', '\uffff');
          await raw.close();
          expect((await readdir(dir)).some((name) => name.endsWith('.ldb'))).toBe(true);
        }
        await rm(join(dir, 'CURRENT'));
      } else for (const name of (await readdir(dir)).filter((n) => n.startsWith('MANIFEST-'))) await truncate(join(dir, name), 10);
      const logs: { level: string; msg: string }[] = [];
      const repaired = await openSeenIndex({ dir, log: (level, msg) => void logs.push({ level, msg }) });
      try {
        expect(logs, damage).toEqual([
          { level: 'warn', msg: "seen index damaged (a crash cut a write); repairing it with LevelDB's RepairDB (a claim it cannot read is forgotten: a resend of that event would land again)" },
        ]);
        // The claims were read back: a resend is still left out, the replay of the first record is not.
        expect(await repaired.claim('shard-0', [ev('app/a', '9'), ev('app/b', '2'), ev('app/c', '10')])).toEqual(new Set(['app/a']));
      } finally {
        await repaired.close();
      }
    }
  });

  it('a live index caught between its MANIFEST and its CURRENT (another consumer sharing DEDUPE_DIR) is refused as in use, never repaired under it', async () => {
    const dir = join(await dirs.make(), 'seen');
    const live = await openSeenIndex({ dir });
    try {
      await live.claim('shard-0', [ev('app/a', '1')]);
      // The window in which LevelDB has written MANIFEST-… and not yet CURRENT, as a second consumer sees it.
      await rm(join(dir, 'CURRENT'));
      // LOG and LOG.old left out: any LevelDB open (even one refused the LOCK) rotates its info log first.
      const dataFiles = async (): Promise<string[]> => (await readdir(dir)).filter((name) => !name.startsWith('LOG')).sort();
      const before = await dataFiles();
      const logs: string[] = [];
      await expect(openSeenIndex({ dir, log: (_level, msg) => void logs.push(msg) })).rejects.toThrow(
        `seen index ${dir} is in use by another process: two consumers cannot share one DEDUPE_DIR (give each stream its own)`,
      );
      // RepairDB (which takes no LOCK) never ran: nothing archived to lost/, no repair logged.
      expect(logs).toEqual([]);
      expect(await dataFiles()).toEqual(before);
      expect(await live.claim('shard-0', [ev('app/a', '2')])).toEqual(new Set(['app/a']));
    } finally {
      await live.close();
    }
  });

  it('refuses a folder without CURRENT that holds files not LevelDB\'s, leaving them as they are (no RepairDB moving them to lost/)', async () => {
    const dir = await dirs.make();
    await writeFile(join(dir, '2025.log'), 'an application log\n');
    await writeFile(join(dir, 'notes.txt'), 'notes\n');
    await expect(openSeenIndex({ dir })).rejects.toThrow(
      `DEDUPE_DIR ${dir} holds files that are not a LevelDB seen index's (2025.log, notes.txt) and no LevelDB CURRENT file: neither opened nor repaired. Give the seen index a folder of its own (absent, empty, or a fresh mount point)`,
    );
    expect((await readdir(dir)).sort()).toEqual(['2025.log', 'notes.txt']);
  });

  it('opens a folder that is a mount point (lost+found, dot-files) as a new seen index, leaving those entries as they are', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'lost+found'));
    await writeFile(join(dir, '.DS_Store'), 'finder\n');
    const first = await openSeenIndex({ dir });
    await first.claim('shard-0', [ev('a', '1')]);
    await first.close();
    const second = await openSeenIndex({ dir });
    try {
      expect(await second.claim('shard-0', [ev('a', '2')])).toEqual(new Set(['a']));
    } finally {
      await second.close();
    }
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['lost+found', '.DS_Store', 'CURRENT']));
    // Next to a file that is not LevelDB's they are not named: only that file is.
    const other = await dirs.make();
    await mkdir(join(other, 'lost+found'));
    await writeFile(join(other, 'notes.txt'), 'notes\n');
    await expect(openSeenIndex({ dir: other })).rejects.toThrow(`DEDUPE_DIR ${other} holds files that are not a LevelDB seen index's (notes.txt) and no LevelDB CURRENT file`);
  });

  it('concurrent claims of one id from two shards: exactly one wins', async () => {
    const index = await openSeenIndex({ dir: join(await dirs.make(), 'seen') });
    try {
      const [x, y] = await Promise.all([index.claim('shard-0', [ev('a', '1')]), index.claim('shard-1', [ev('a', '5')])]);
      expect([x.size, y.size].sort()).toEqual([0, 1]);
    } finally {
      await index.close();
    }
  });

  it('forgets claims older than the window, and the oldest beyond maxIds', async () => {
    let now = 1_000_000;
    const index = await openSeenIndex({ dir: join(await dirs.make(), 'seen'), windowMs: 1000, maxIds: 1000, now: () => now });
    try {
      await index.claim('s', [ev('old', '1')]);
      now += 2000;
      await index.claim('s', [ev('new', '2')]);
      expect(index.size()).toBe(1);
      expect(await index.claim('s', [ev('old', '3'), ev('new', '4')])).toEqual(new Set(['new']));

      const many = Array.from({ length: 1200 }, (_, i) => ev(`id-${String(i).padStart(4, '0')}`, String(100 + i)));
      now += 1;
      await index.claim('s', many.slice(0, 600));
      now += 1;
      await index.claim('s', many.slice(600));
      expect(index.size()).toBe(1000);
      // The oldest went first: 'new', 'old' (re-claimed) and the first ids of the first batch.
      expect(await index.claim('s', [ev('new', '9'), ev('id-1199', '999')])).toEqual(new Set(['id-1199']));
    } finally {
      await index.close();
    }
  });

  it('in one flush over maxIds, forgets the expired claims and then the oldest of the rest', async () => {
    let now = 1_000_000;
    const index = await openSeenIndex({ dir: join(await dirs.make(), 'seen'), windowMs: 1000, maxIds: 3, now: () => now });
    try {
      await index.claim('s', [ev('a', '1'), ev('b', '2')]);
      now += 2000;
      // 6 claims: a and b have expired, and of the 4 new ones the oldest (c, first in key order) is one too many.
      await index.claim('s', [ev('c', '3'), ev('d', '4'), ev('e', '5'), ev('f', '6')]);
      expect(index.size()).toBe(3);
      expect(await index.claim('t', [ev('c', '7'), ev('d', '8'), ev('e', '9'), ev('f', '10')])).toEqual(new Set(['d', 'e', 'f']));
    } finally {
      await index.close();
    }
  });
});

describe('seen index (LevelDB) written by an older version', () => {
  it('reads `<shard> <seq> <claimed at>` values as before, and writes new claims without the time', async () => {
    const dir = join(await dirs.make(), 'seen');
    const claimedAt = 1_000_000;
    const old = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await old.batch([
      { type: 'put', key: 'e!a', value: `shard-0 1 ${claimedAt}` },
      { type: 'put', key: `t!000000001000000!a`, value: '' },
      { type: 'put', key: 'e!b', value: `shard-0 2 ${claimedAt}` },
      { type: 'put', key: `t!000000001000000!b`, value: '' },
      { type: 'put', key: 'm!count', value: '2' },
    ]);
    await old.close();

    let now = claimedAt + 500;
    const index = await openSeenIndex({ dir, windowMs: 1000, now: () => now });
    try {
      expect(index.size()).toBe(2);
      // A replay of the claiming record is kept; a resend on the same or another shard is a duplicate.
      expect(await index.claim('shard-0', [ev('a', '1'), ev('c', '3')])).toEqual(new Set());
      expect(await index.claim('shard-0', [ev('a', '9')])).toEqual(new Set(['a']));
      expect(await index.claim('shard-1', [ev('b', '2')])).toEqual(new Set(['b']));
      expect(index.size()).toBe(3);
      // The old claims still age out by their `t!` keys.
      now = claimedAt + 1200;
      await index.claim('shard-0', [ev('d', '4')]);
      expect(index.size()).toBe(2);
      expect(await index.claim('shard-1', [ev('a', '5'), ev('b', '6')])).toEqual(new Set());
    } finally {
      await index.close();
    }
    const reopened = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      expect(await reopened.get('e!c')).toBe('shard-0 3');
    } finally {
      await reopened.close();
    }
  });
});
