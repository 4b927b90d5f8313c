import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LAKE_FORMAT_MARKER, type MarkerStore } from './lake-format-marker';

/**
 * The lake-format marker in the lake folder. It appears whole or not at all: the text is written and
 * fsynced to a temp file, then hard-linked to the marker's name, which fails with EEXIST when another
 * start got there first (it then reads theirs). `writeFile(…, {flag:'wx'})` created the file empty and
 * wrote it after: a concurrent start could read "" and a crash in between left an empty marker.
 *
 * Such an empty marker (left by a version before this one) counts as none: the start replaces it, by a
 * rename over it while it is still empty. Two starts on the same leftover at the same moment could both
 * replace it; each re-reads the marker after and only the one whose text stands has claimed the lake.
 */
export function folderMarkerStore(lakeDir: string): MarkerStore {
  const path = join(lakeDir, LAKE_FORMAT_MARKER);
  const readText = async (): Promise<string | undefined> => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    where: lakeDir,
    async read() {
      const text = await readText();
      return text?.trim() === '' ? undefined : text;
    },
    async createIfAbsent(text) {
      await mkdir(lakeDir, { recursive: true });
      const temp = join(lakeDir, `.${LAKE_FORMAT_MARKER}.${randomUUID()}.tmp`);
      try {
        const file = await open(temp, 'wx');
        try {
          await file.writeFile(text, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
        try {
          await link(temp, path);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        if ((await readText())?.trim() !== '') return false;
        await rename(temp, path);
        return (await readText()) === text;
      } finally {
        await rm(temp, { force: true });
      }
    },
  };
}
