import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { errorFields, type Logger } from '../log';
import { writeFileAtomic } from './atomic-write';
import type { Sink } from './sink';
import { removeStaleTempFiles } from './stale-temp-files';

export interface FolderSinkOptions {
  /** Where the removal of stale temp files is reported (removed files: info; a failed sweep: warn). */
  log?: Logger;
  /** How many swept folders are remembered before the memory is cleared (default SWEPT_FOLDERS_BOUND); tests lower it. */
  sweptFoldersBound?: number;
}

/**
 * The folders already swept are remembered so that a folder is swept once, not at every write. The
 * lake only grows (one folder per app per hour, or per partition key per hour), so the memory is
 * cleared when it reaches this many: a folder swept again costs one readdir, and the memory stays a
 * few MB at most for the life of the process.
 */
export const SWEPT_FOLDERS_BOUND = 10_000;

/**
 * A Sink over a local folder (the lake root); each object is written atomically. The first write to
 * each folder also removes the temp files a killed process left there (see removeStaleTempFiles):
 * a crashed flush's range is replayed after a restart, so its folders are the ones written first
 * (leftovers younger than STALE_TEMP_FILE_AGE_MS then stay until a later sweep of that folder).
 * One readdir per folder (per SWEPT_FOLDERS_BOUND folders written), never a walk of the whole lake.
 */
export function createFolderSink(rootDir: string, options: FolderSinkOptions = {}): Sink {
  const bound = options.sweptFoldersBound ?? SWEPT_FOLDERS_BOUND;
  const swept = new Set<string>();
  const sweep = async (dir: string): Promise<void> => {
    if (swept.size >= bound) swept.clear();
    swept.add(dir);
    try {
      const removed = await removeStaleTempFiles(dir);
      if (removed.length > 0) options.log?.('info', 'removed temp files a killed process left', { dir, count: removed.length, files: removed.slice(0, 10) });
    } catch (error) {
      // The write itself goes on: a leftover temp file is clutter, not a wrong lake.
      options.log?.('warn', 'could not remove stale temp files', { dir, ...errorFields(error) });
    }
  };
  return {
    async write(objectKey, bytes) {
      const path = resolveKey(rootDir, objectKey);
      if (!swept.has(dirname(path))) await sweep(dirname(path));
      await writeFileAtomic(path, bytes);
    },
  };
}

function resolveKey(rootDir: string, objectKey: string): string {
  const relative = normalize(objectKey);
  if (objectKey === '' || isAbsolute(objectKey) || relative.split(sep).includes('..')) {
    throw new RangeError(`object key must be a relative path inside the lake: ${JSON.stringify(objectKey)}`);
  }
  return join(rootDir, relative);
}
