import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readChildPort } from './child-port';
import { stopChild } from './process-control';

export interface StartDynamoOptions {
  /** Keep the tables here (LevelDB) across restarts; in memory when absent. */
  dataDir?: string;
  startTimeoutMs?: number;
}

export interface DynamoEmulator {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

const childDir = fileURLToPath(new URL('../dist/', import.meta.url));

/** Start dynalite 4.0.0 as a child process on a free loopback port. */
export async function startDynamo(options: StartDynamoOptions = {}): Promise<DynamoEmulator> {
  const child = spawn(process.execPath, [join(childDir, 'dynalite-child.js')], {
    env: { ...process.env, DATA_DIR: options.dataDir ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A parent that exits normally takes the emulator with it; a killed one closes the stdin pipe (see dynalite-child.ts).
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopChild(child, 5_000).then(() => undefined));
  try {
    const port = await readChildPort(child, 'dynalite', options.startTimeoutMs ?? 20_000);
    return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
