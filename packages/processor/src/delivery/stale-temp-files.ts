import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_NAME, tempFilesInFlight } from './atomic-write';

/**
 * Remove the temp files (`.<name>.tmp-<pid>-<hex>`) in `dir` that a killed process left: those of a
 * pid that no longer runs on this machine, and those of this pid that this process is not writing
 * (a container restarts with the same pid). Other processes writing the same lake folder on this
 * machine keep theirs; a lake folder written from several machines (a network file system) is not
 * supported here: a pid of another machine would look dead. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const name of names) {
    const pid = Number(TEMP_FILE_NAME.exec(name)?.[1] ?? NaN);
    const path = join(dir, name);
    if (Number.isNaN(pid) || tempFilesInFlight.has(path)) continue;
    if (pid !== process.pid && isRunning(pid)) continue;
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
