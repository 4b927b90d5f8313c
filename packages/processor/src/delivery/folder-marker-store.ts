import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAKE_FORMAT_MARKER, type MarkerStore } from './lake-format-marker';

/** The lake-format marker in the lake folder; written with `wx`, so of two first starts one wins and the other reads it. */
export function folderMarkerStore(lakeDir: string): MarkerStore {
  const path = join(lakeDir, LAKE_FORMAT_MARKER);
  return {
    where: lakeDir,
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async createIfAbsent(text) {
      await mkdir(lakeDir, { recursive: true });
      try {
        await writeFile(path, text, { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
  };
}
