import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childEnv } from './child-env';
import { stopChild } from './process-control';

export interface ServiceProcess {
  name: string;
  pid: number;
  /** The first log record that matched `ready`. */
  readyRecord: Record<string, unknown>;
  /** SIGTERM (SIGKILL after the grace); resolves with how it exited (also when it had exited before). */
  stop(): Promise<ServiceExit>;
}

/** A service's end: its exit code, or the signal that ended it (code null). */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when this stop() sent the SIGKILL: the service had not exited within this grace after SIGTERM. */
  killedAfterGraceMs?: number;
}

export interface SpawnServiceOptions {
  name: string;
  entry: string;
  /** The service's whole configuration: of the shell's variables it gets only INHERITED_ENV (child-env.ts). */
  env: Record<string, string>;
  /** True for the JSON log line that means the service is up. */
  ready: (record: Record<string, unknown>) => boolean;
  onLine?: (name: string, line: string) => void;
  timeoutMs?: number;
  /** stop(): how long after SIGTERM the service may take to exit before SIGKILL. Default 10 s. */
  stopGraceMs?: number;
}

/** Built next to this module's bundle; `../dist/` resolves from both src/ (tests) and dist/. */
const EXIT_WITH_PARENT = pathToFileURL(fileURLToPath(new URL('../dist/exit-with-parent.js', import.meta.url))).href;

/**
 * Run one of our Node entries as a child process and wait for its "ready" log line.
 * Stopped by pid: SIGTERM (graceful), SIGKILL after a grace period. No orphans: the child gets a
 * stdin pipe and a preloaded module (exit-with-parent.ts) that sends it SIGTERM when the pipe
 * closes (this process died, even by SIGKILL), like the emulators' children. It runs in its own
 * process group: signals sent to the parent's group (Ctrl-C in a terminal) do not reach it.
 */
export function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  const { name, entry, env, ready, onLine = () => undefined, timeoutMs = 30_000, stopGraceMs = 10_000 } = options;
  // detached: a process group of its own, so a terminal's Ctrl-C (SIGINT to the whole foreground
  // group) reaches only the parent, whose orderly stop decides when and in which order services stop.
  const child = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, entry], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  createInterface({ input: child.stderr }).on('line', (line) => onLine(name, line));

  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${name} did not report ready within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code, signal) => fail(new Error(`${name} exited early (code ${code}, signal ${signal})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      onLine(name, line);
      if (settled) return;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not a structured log line; already passed to onLine
      }
      if (!ready(record)) return;
      settled = true;
      clearTimeout(timer);
      resolve({ name, pid: child.pid ?? -1, readyRecord: record, stop: () => stopChild(child, stopGraceMs).then((killed) => ({ code: child.exitCode, signal: child.signalCode, ...(killed ? { killedAfterGraceMs: stopGraceMs } : {}) })) });
    });
  });
}
