import { readFileSync } from 'node:fs';

/**
 * The process's limit on open files, read from /proc/self/limits (Linux): its soft limit, which Node
 * raised to the hard one (`ulimit -Hn`) at start; undefined where that cannot be read (another OS) or
 * when it is unlimited. Node has no API for it.
 */
export function readOpenFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const soft = Number(line?.[1]);
    return Number.isInteger(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}
