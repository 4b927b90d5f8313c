import { isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { Sink } from './sink';

/** A Sink over a local folder (the lake root); each object is written atomically. */
export function createFolderSink(rootDir: string): Sink {
  return {
    async write(objectKey, bytes) {
      await writeFileAtomic(resolveKey(rootDir, objectKey), bytes);
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
