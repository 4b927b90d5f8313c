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
 * decided by a hard link to `.<marker>.claim`: every start that finds the marker still empty puts the
 * claim's text in place (also after the claimer crashed). Each replacing with its own text (as before)
 * let two starts of different formats both claim the lake. The claim is removed by any start that sees
 * the marker non-empty: kept, it decided a later empty marker too, bringing back a format since changed.
 * That is safe because nothing empties the marker again: a claim linked after one was removed (by a
 * start that saw the marker empty before the text was put in place) finds the marker non-empty, and so
 * does a start reading such a late claim; neither renames, so only the first claim's text is ever put in place.
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
  /** True when `text` is an empty marker; a marker that is gone is not (the caller reads it: none). */
  const isEmpty = (text: string | undefined): boolean => text?.trim() === '';
  const removeClaim = (): Promise<void> => rm(claimPath, { force: true });
  /** Put the claimed text in place of the empty marker; false when it is another start's text. */
  const replaceEmpty = async (temp: string): Promise<boolean> => {
    for (;;) {
      if (!isEmpty(await readText(path))) {
        await removeClaim();
        return false;
      }
      if (await linkUnlessExists(temp, claimPath)) {
        // A late claim: the decided text was put in place, and its claim removed, since the read above.
        if (!isEmpty(await readText(path))) continue;
        await rename(temp, path);
        await removeClaim();
        return true;
      }
      const decided = await readText(claimPath); // undefined: removed, the decided text is in place
      if (isEmpty(decided)) await removeClaim(); // not one of ours (each is linked to a whole text): it decides nothing
      else if (decided !== undefined && isEmpty(await readText(path))) await rename(await tempWith(decided), path);
    }
  };
  return {
    where: lakeDir,
    async read() {
      const text = await readText(path);
      if (text === undefined || isEmpty(text)) return undefined;
      await removeClaim(); // one left by a crash after its text was put in place
      return text;
    },
    async createIfAbsent(text) {
      await mkdir(lakeDir, { recursive: true });
      try {
        const temp = await tempWith(text);
        if (!(await linkUnlessExists(temp, path))) return await replaceEmpty(temp);
        await removeClaim(); // one left by a crash, before the marker was deleted
        return true;
      } finally {
        await Promise.all(temps.splice(0).map((temp) => rm(temp, { force: true })));
      }
    },
  };
}
