import { readdir } from 'node:fs/promises';

/** The names in a folder; none when the folder does not exist (yet). Any other error is thrown. */
export async function folderEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
