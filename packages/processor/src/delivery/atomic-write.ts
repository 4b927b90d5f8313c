import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write a file so that readers see either the old content or the whole new content, and the
 * new content survives a power cut once this resolves: temp file in the same folder, fsync,
 * rename over the target, fsync the folder. The temp name (`.<name>.tmp-…`) is hidden and does
 * not match `*.ndjson.gz` or `*.json`, so no reader picks up a half-written file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch((cleanupError: unknown) => {
      throw new AggregateError([error, cleanupError], `writing ${path} failed and ${temp} could not be removed`);
    });
    throw error;
  }
  await syncDir(dir);
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
