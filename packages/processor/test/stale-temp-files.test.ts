import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink } from '../src';
import { tempFilesInFlight } from '../src/delivery/atomic-write';
import { removeStaleTempFiles, STALE_TEMP_FILE_AGE_MS } from '../src/delivery/stale-temp-files';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** Set a file's mtime `ms` in the past (just past the age a temp file must reach to be removed, by default). */
async function age(path: string, ms = STALE_TEMP_FILE_AGE_MS + 60_000): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

/** A real process: `running` until `stop()` (then its pid names a process that no longer runs). */
async function childProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

describe('temp files a killed process left in the lake folder', () => {
  it('the first write to a folder removes old ones of dead pids and of this pid not in flight; a running writer keeps its own, and a fresh one stays', async () => {
    const root = await dirs.make();
    const folder = join(root, 'events', 'app_id=shop');
    await mkdir(folder, { recursive: true });
    const killed = await childProcess();
    await killed.stop();
    const running = await childProcess();
    try {
      const names = {
        killed: `.s-1-2.ndjson.gz.tmp-${killed.pid}-0badc0de`,
        sameLife: `.s-3-4.ndjson.gz.tmp-${process.pid}-0000beef`, // this pid, not being written: a container's earlier life
        inFlight: `.s-5-6.ndjson.gz.tmp-${process.pid}-1234abcd`,
        runningWriter: `.s-7-8.ndjson.gz.tmp-${running.pid}-abcdef01`,
        // Another container's write in progress: its pid, or pid 1 like ours, means nothing here.
        freshOfDeadPid: `.s-11-12.ndjson.gz.tmp-${killed.pid}-00c0ffee`,
        freshOfThisPid: `.s-13-14.ndjson.gz.tmp-${process.pid}-00facade`,
        youngOfDeadPid: `.s-15-16.ndjson.gz.tmp-${killed.pid}-0000babe`, // just under the age
        data: 's-0-1.ndjson.gz',
        other: '.keep-me',
      };
      for (const name of Object.values(names)) await writeFile(join(folder, name), 'x');
      for (const name of [names.killed, names.sameLife, names.inFlight, names.runningWriter, names.data, names.other]) await age(join(folder, name));
      await age(join(folder, names.youngOfDeadPid), STALE_TEMP_FILE_AGE_MS - 60_000);
      tempFilesInFlight.add(join(folder, names.inFlight));
      const logged: unknown[] = [];
      const sink = createFolderSink(root, { log: (level, msg, fields) => void logged.push({ level, msg, ...fields }) });
      await sink.write('events/app_id=shop/s-9-9.ndjson.gz', new Uint8Array([1]));
      tempFilesInFlight.delete(join(folder, names.inFlight));
      const kept = [names.inFlight, names.runningWriter, names.freshOfDeadPid, names.freshOfThisPid, names.youngOfDeadPid, names.data, names.other];
      expect((await readdir(folder)).sort()).toEqual([...kept, 's-9-9.ndjson.gz'].sort());
      expect(logged).toEqual([{ level: 'info', msg: 'removed temp files a killed process left', dir: folder, count: 2, files: expect.arrayContaining([names.killed, names.sameLife]) as unknown }]);
      // Once per folder per process: a later write does not sweep again.
      await writeFile(join(folder, names.killed), 'x');
      await age(join(folder, names.killed));
      await sink.write('events/app_id=shop/s-10-10.ndjson.gz', new Uint8Array([1]));
      expect(await readdir(folder)).toContain(names.killed);
      // The fresh ones go once they are old.
      for (const name of [names.freshOfDeadPid, names.freshOfThisPid]) await age(join(folder, name));
      expect((await removeStaleTempFiles(folder)).sort()).toEqual([names.killed, names.inFlight, names.freshOfDeadPid, names.freshOfThisPid].sort());
      expect(await removeStaleTempFiles(join(root, 'missing'))).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it('the memory of swept folders is bounded: past the bound it starts over, and a folder is swept again', async () => {
    const root = await dirs.make();
    const killed = await childProcess();
    await killed.stop();
    const stale = `.s-1-2.ndjson.gz.tmp-${killed.pid}-0badc0de`;
    const leaveStale = async (folder: string): Promise<void> => {
      await writeFile(join(root, folder, stale), 'x');
      await age(join(root, folder, stale));
    };
    const sink = createFolderSink(root, { sweptFoldersBound: 2 });
    await sink.write('a/s-1-1.ndjson.gz', new Uint8Array([1])); // remembered: a
    await leaveStale('a');
    await sink.write('b/s-1-1.ndjson.gz', new Uint8Array([1])); // remembered: a, b (the bound)
    await sink.write('a/s-2-2.ndjson.gz', new Uint8Array([1])); // a is remembered: not swept again
    expect(await readdir(join(root, 'a'))).toContain(stale);
    await sink.write('c/s-1-1.ndjson.gz', new Uint8Array([1])); // the bound reached: the memory starts over with c
    await sink.write('a/s-3-3.ndjson.gz', new Uint8Array([1])); // a forgotten: swept again
    expect((await readdir(join(root, 'a'))).sort()).toEqual(['s-1-1.ndjson.gz', 's-2-2.ndjson.gz', 's-3-3.ndjson.gz']);
  });
});
