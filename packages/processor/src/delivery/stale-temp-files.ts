import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { folderEntries } from '../folder-entries';
import { TEMP_FILE_NAME, tempFilesInFlight } from './atomic-write';

/**
 * A temp file younger than this is never removed. A temp file lives for one file write (the whole
 * file is written at once, fsynced, renamed): seconds even for a large file on a slow disk, so a
 * file untouched for 15 minutes is no write in progress. The pid checks alone cannot tell: another
 * container on this host sharing the lake folder runs in another pid namespace, often as pid 1 like
 * this one (its temp files look like ours of an earlier life) or as a pid that does not exist here
 * (they look dead), and removing its temp file mid-write fails its rename and its flush.
 */
export const STALE_TEMP_FILE_AGE_MS = 15 * 60_000;

/**
 * Remove the temp files (`.<name>.tmp-<pid>-<hex>`) in `dir` that a killed process left: those not
 * modified for STALE_TEMP_FILE_AGE_MS and either of a pid that no longer runs in this pid namespace or
 * of this pid but not being written by this process (a container restarts with the same pid). A temp
 * file younger than that stays until a later sweep (a leftover is clutter hidden from readers, not a
 * wrong lake). Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await folderEntries(dir)) {
    const pid = Number(TEMP_FILE_NAME.exec(name)?.[1] ?? NaN);
    const path = join(dir, name);
    if (Number.isNaN(pid) || tempFilesInFlight.has(path)) continue;
    if (pid !== process.pid && isRunning(pid)) continue;
    const modified = await stat(path).then(
      (s) => s.mtimeMs,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined; // its writer renamed it meanwhile
        throw error;
      },
    );
    if (modified === undefined || now - modified < STALE_TEMP_FILE_AGE_MS) continue;
    await rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
