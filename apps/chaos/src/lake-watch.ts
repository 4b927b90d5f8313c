import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LakeWatch {
  /** When each event file first appeared (its mtime at first sight), by absolute path. */
  firstSeen: ReadonlyMap<string, number>;
  scan(): void;
  stop(): void;
}

/**
 * Notes when each lake file is first written. A replay after a processor crash rewrites a file under
 * the same name; the first write is when its events became queryable, so that time is kept.
 */
export function watchLake(dir: string, everyMs = 500): LakeWatch {
  const firstSeen = new Map<string, number>();
  const scan = (): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const path = join(dir, entry);
      if (firstSeen.has(path) || !entry.endsWith('.parquet')) continue;
      try {
        firstSeen.set(path, statSync(path).mtimeMs);
      } catch (error) {
        // A file listed then replaced by an atomic rename in between: seen on the next scan.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  const timer = setInterval(scan, everyMs);
  return {
    firstSeen,
    scan,
    stop() {
      clearInterval(timer);
      scan();
    },
  };
}
