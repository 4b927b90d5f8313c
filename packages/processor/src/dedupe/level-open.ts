import { ClassicLevel } from 'classic-level';

/**
 * Open a LevelDB folder (classic-level, UTF-8 keys and values): the seen index, and the checkpoint
 * lock, which is an empty one used for LevelDB's lock alone. `createIfMissing: false` fails on a
 * folder without a database instead of making one.
 */
export async function openLevel(dir: string, options: { createIfMissing?: boolean } = {}): Promise<ClassicLevel<string, string>> {
  const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8', ...options });
  await db.open();
  return db;
}

/** classic-level's open error when another process (or this one) holds the folder's lock. */
export function isLocked(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return (error as { code?: unknown } | null)?.code === 'LEVEL_LOCKED' || cause?.code === 'LEVEL_LOCKED';
}
