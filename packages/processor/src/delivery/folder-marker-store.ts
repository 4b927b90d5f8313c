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
 * Such an empty marker (left by a version before this one) counts as none. Which start replaces it is
 * decided by a hard link too, to `.<marker>.claim` (kept: it is the decision, for a start that comes
 * while it is put in place, or after a crash in between); every start that found the marker empty then
 * renames the decided text over it. Each replacing with its own text (as before) let two starts of
 * different formats both claim the lake: one renamed and read back its text before the other renamed.
 */
export function folderMarkerStore(lakeDir: string): MarkerStore {
  const path = join(lakeDir, LAKE_FORMAT_MARKER);
  const claimPath = join(lakeDir, `.${LAKE_FORMAT_MARKER}.claim`);
  const readText = async (file: string): Promise<string | undefined> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const temps: string[] = [];
  /** A fsynced temp file holding `text`, in the lake folder (removed when the create ends). */
  const tempWith = async (text: string): Promise<string> => {
    const temp = join(lakeDir, `.${LAKE_FORMAT_MARKER}.${randomUUID()}.tmp`);
    temps.push(temp);
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    return temp;
  };
  /** Link `temp` to `target` unless `target` exists: true when this call created it. */
  const linkUnlessExists = async (temp: string, target: string): Promise<boolean> => {
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  };
  return {
    where: lakeDir,
    async read() {
      const text = await readText(path);
      return text?.trim() === '' ? undefined : text;
    },
    async createIfAbsent(text) {
      await mkdir(lakeDir, { recursive: true });
      try {
        const temp = await tempWith(text);
        if (await linkUnlessExists(temp, path)) return true;
        if ((await readText(path))?.trim() !== '') return false;
        // An empty leftover: the first claim decides, whose text every start puts in place.
        const decided = (await linkUnlessExists(temp, claimPath)) ? text : await readText(claimPath);
        if (decided === undefined) throw new Error(`${claimPath} vanished while the empty ${LAKE_FORMAT_MARKER} was replaced`);
        if ((await readText(path))?.trim() === '') await rename(decided === text ? temp : await tempWith(decided), path);
        return decided === text;
      } finally {
        await Promise.all(temps.splice(0).map((temp) => rm(temp, { force: true })));
      }
    },
  };
}
