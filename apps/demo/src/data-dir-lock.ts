import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';

/** Another demo (or a pipeline test) runs on this data folder. */
export class DataDirBusyError extends Error {
  constructor(readonly dataDir: string) {
    super(`another demo is using ${dataDir}: stop it or set EVENTLINE_DATA_DIR`);
    this.name = 'DataDirBusyError';
  }
}

/**
 * Hold `<dataDir>/demo-lock` (an empty LevelDB: its LOCK is an OS file lock, so it is free again the
 * moment the process holding it dies, even by SIGKILL) while a pipeline runs on the folder. Taken before
 * anything starts: a second demo on the same folder says so and starts nothing, instead of failing with
 * a LevelDB `OpenError … LOCK` stack from the emulator or the processor's seen index.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const db = new ClassicLevel(join(dataDir, 'demo-lock'));
  try {
    await db.open();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') throw new DataDirBusyError(dataDir);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return () => (closed ??= db.close());
}
