import { randomBytes } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { folderEntries } from '../folder-entries';

/** Temp files this process is writing now: a sweep of stale temp files must leave them alone. */
export const tempFilesInFlight = new Set<string>();

/** A temp file's name: `.<name>.tmp-<pid>-<8 hex>`; the pid of the process that made it. */
export const TEMP_FILE_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/** How the names of `path`'s temp files start (`.<name>.tmp-`); the writer's pid and 8 hex follow. */
export function tempFilePrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

/**
 * Write a file so that readers see either the old content or the whole new content, and the
 * new content survives a power cut once this resolves: temp file in the same folder, fsync,
 * rename over the target, fsync the folder. The temp name (`.<name>.tmp-…`) is hidden and does
 * not match `*.ndjson.gz` or `*.json`, so no reader picks up a half-written file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${tempFilePrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  tempFilesInFlight.add(temp);
  let keepTemp = false;
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, path);
    } catch (error) {
      keepTemp = options.keepTempIfTargetLost === true && !(await surelyThere(path));
      throw error;
    }
  } catch (error) {
    if (keepTemp) {
      // Best effort: the failed rename's removal of the target and the temp file's entry made durable together.
      await syncDir(dir).catch(() => undefined);
      // Then the temp files earlier failed writes kept (one per write while renames keep failing): this
      // newest one is the sign of the cut, their content is older. Best effort too (a start removes them).
      await removeTempFilesOf(path).catch(() => undefined);
      throw error;
    }
    await rm(temp, { force: true }).catch((cleanupError: unknown) => {
      throw new AggregateError([error, cleanupError], `writing ${path} failed and ${temp} could not be removed`);
    });
    throw error;
  } finally {
    tempFilesInFlight.delete(temp);
  }
  await syncDir(dir);
}

export interface AtomicWriteOptions {
  /**
   * A rename that fails after the target is gone (a file system whose rename unlinks the target, then
   * renames) leaves the temp file instead of removing it: the whole new content, and the only sign
   * next to the absent target that a write of it was cut (the checkpoint reader tells a cut save
   * from a file moved away by it). Only the newest is kept: one kept by an earlier write is removed.
   */
  keepTempIfTargetLost?: boolean;
}

/** The paths of `path`'s temp files among the names of its folder. */
export function tempFilesAmong(names: readonly string[], path: string): string[] {
  const prefix = tempFilePrefix(path);
  return names.filter((name) => name.startsWith(prefix)).map((name) => join(dirname(path), name));
}

/** Removes those of `temps` not being written now (this process's writes in flight are left alone). */
export async function removeLeftoverTempFiles(temps: readonly string[]): Promise<void> {
  await Promise.all(temps.filter((temp) => !tempFilesInFlight.has(temp)).map((temp) => rm(temp, { force: true })));
}

/** `path`'s temp files not being written now: left by a crash, or kept by a failed rename (`keepTempIfTargetLost`). */
export async function removeTempFilesOf(path: string): Promise<void> {
  await removeLeftoverTempFiles(tempFilesAmong(await folderEntries(dirname(path)), path));
}

/** True only when `path` is known to be there. */
async function surelyThere(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    // ENOENT, or unknown (EACCES, EIO): keep the evidence; a start removes a temp file it does not need.
    return false;
  }
}

/** The rename is durable only once the folder entry is flushed too. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
