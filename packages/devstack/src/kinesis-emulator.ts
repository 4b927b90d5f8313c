import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { childEnv } from './child-env';
import { freePorts } from './free-port';
import { stopChild } from './process-control';
import { emulatorKinesisClientConfig } from './kinesis-client-config';

export const KINESIS_ENGINES = ['kinesalite', 'kinesis-local'] as const;
export type KinesisEngine = (typeof KINESIS_ENGINES)[number];

/** kinesalite: fast, durable on disk (LevelDB); see the README for the choice. */
export const DEFAULT_ENGINE: KinesisEngine = 'kinesalite';

export interface StartKinesisOptions {
  engine?: KinesisEngine;
  /** Keep the stream data here across restarts; in memory when absent. */
  dataDir?: string;
  /** Lines the emulator writes to stderr; by default they are kept for error messages only. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface KinesisEmulator {
  engine: KinesisEngine;
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** The child scripts are built files; `../dist/` resolves from both src/ (tests) and dist/. */
const childDir = fileURLToPath(new URL('../dist/', import.meta.url));

export function parseEngine(value: string | undefined): KinesisEngine {
  if (value === undefined || value === '') return DEFAULT_ENGINE;
  if ((KINESIS_ENGINES as readonly string[]).includes(value)) return value as KinesisEngine;
  throw new Error(`unknown Kinesis engine "${value}": expected one of ${KINESIS_ENGINES.join(', ')}`);
}

/** Start a Kinesis emulator as a child process on a free loopback port and wait until it answers. */
export async function startKinesis(options: StartKinesisOptions = {}): Promise<KinesisEmulator> {
  const engine = options.engine ?? DEFAULT_ENGINE;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  // kinesis-local binds ports chosen beforehand: another process may take one in between. Tried again then.
  for (let attempt = 1; ; attempt++) {
    const { child, port } = engine === 'kinesalite' ? await spawnKinesalite(options, timeoutMs) : await spawnKinesisLocal(options);
    const endpoint = `http://127.0.0.1:${port}`;
    const stop = stopper(child);
    try {
      await waitUntilServing(endpoint, child, timeoutMs);
      return { engine, endpoint, pid: child.pid ?? -1, stop };
    } catch (error) {
      await stop();
      if (attempt < 3 && engine === 'kinesis-local' && /EADDRINUSE|Address already in use/.test(String(error))) continue;
      throw error;
    }
  }
}

function spawnChild(script: string, env: Record<string, string | undefined>, options: StartKinesisOptions): ChildProcess {
  // Only what is set here, and the shell's basics: kinesis-local reads its settings from the environment too.
  // Its own process group (as spawnService's services): a terminal's Ctrl-C reaches only the parent,
  // which stops the emulator last, after the services that still write to it.
  const child = spawn(process.execPath, [join(childDir, script)], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      options.onLog?.(line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  (child as ChildProcess & { stderrTail: string[] }).stderrTail = tail;
  // A parent that exits normally takes its emulator with it; if it is killed, the closed
  // stdin pipe tells the child to exit (see the *-child.ts scripts).
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

async function spawnKinesalite(options: StartKinesisOptions, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnChild('kinesalite-child.js', { DATA_DIR: options.dataDir ?? '' }, options);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      // The caller never gets this child, so nothing else would ever stop it.
      void stopChild(child, 1_000);
      reject(new Error(`kinesalite did not start within ${timeoutMs} ms: ${stderrOf(child)}`));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch (error) {
          reject(new Error(`kinesalite printed an unexpected first line: ${line}`, { cause: error }));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kinesalite exited with code ${code}: ${stderrOf(child)}`));
    });
  });
  return { child, port };
}

async function spawnKinesisLocal(options: StartKinesisOptions): Promise<{ child: ChildProcess; port: number }> {
  const [port = 0, tlsPort = 0] = await freePorts(2);
  const certPath = createRequire(import.meta.url).resolve('kinesis-local/server.json');
  const persist = options.dataDir
    ? { SHOULD_PERSIST_DATA: 'true', PERSIST_PATH: options.dataDir, PERSIST_INTERVAL: '1s' }
    : { SHOULD_PERSIST_DATA: 'false' };
  const child = spawnChild(
    'kinesis-local-child.js',
    {
      KINESIS_MOCK_PLAIN_PORT: String(port),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      KINESIS_MOCK_CERT_PATH: certPath,
      LOG_LEVEL: 'WARN',
      CREATE_STREAM_DURATION: '100ms',
      DELETE_STREAM_DURATION: '100ms',
      SPLIT_SHARD_DURATION: '100ms',
      MERGE_SHARDS_DURATION: '100ms',
      UPDATE_SHARD_COUNT_DURATION: '100ms',
      SHARD_LIMIT: '50',
      ...persist,
    },
    options,
  );
  return { child, port };
}

async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new KinesisClient({ ...emulatorKinesisClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Kinesis emulator exited with code ${child.exitCode}: ${stderrOf(child)}`);
      try {
        await client.send(new ListStreamsCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`Kinesis emulator at ${endpoint} not ready within ${timeoutMs} ms: ${stderrOf(child)}`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stopChild(child, 5_000).then(() => undefined));
}

function stderrOf(child: ChildProcess): string {
  return ((child as ChildProcess & { stderrTail?: string[] }).stderrTail ?? []).join('\n') || '(no output)';
}
