import type { ClassicLevel } from 'classic-level';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isLocked, openLevel } from '../dedupe/level-open';
import { writeFileAtomic } from '../delivery/atomic-write';
import { folderEntries } from '../folder-entries';

/** Held by one consumer for as long as it reads a stream into one checkpoint file. */
export interface CheckpointLock {
  /** The lock's folder (`<checkpoint file without .json>.lock`). */
  readonly dir: string;
  /** Idempotent: a second call waits for the first. */
  release(): Promise<void>;
}

/** Who holds a checkpoint file's lock, as the holder wrote it when it took the lock. */
export interface LockHolder {
  pid: number;
  hostname: string;
  started_at: string;
  cwd: string;
}

/** A second consumer on a checkpoint file another process is using. */
export class CheckpointInUseError extends Error {
  constructor(
    readonly checkpointFile: string,
    readonly holder: LockHolder | undefined,
    options: ErrorOptions,
  ) {
    super(
      `checkpoint file ${checkpointFile} is in use by another processor (${describeHolder(holder)}): two processes reading one stream into one checkpoint ` +
        'would overwrite each other\'s checkpoints and write the same records to the lake twice under other file names. ' +
        'Stop the other process first (a restart must wait until the old process has exited: its final flush may still be running), ' +
        'or give this one its own CHECKPOINT_FILE (and BAD_ROWS_CHECKPOINT_FILE, DEDUPE_DIR)',
      options,
    );
    this.name = 'CheckpointInUseError';
  }
}

const HOLDER_FILE = 'holder.json';

/** `<dir>/events.json` → `<dir>/events.lock`. */
export function checkpointLockDir(checkpointFile: string): string {
  return checkpointFile.replace(/\.json$/, '') + '.lock';
}

/**
 * Take the checkpoint file's lock, or fail with CheckpointInUseError naming the holder.
 *
 * The lock is LevelDB's (an empty classic-level database used only for it): an fcntl lock the kernel
 * drops when the holder dies, however it dies, also across containers that bind-mount one folder
 * (their pids are not comparable, so a pid file could not tell a live holder from a stale one).
 * The holder's pid, host and start time are written next to it for the message.
 */
export async function lockCheckpointFile(checkpointFile: string): Promise<CheckpointLock> {
  const dir = checkpointLockDir(checkpointFile);
  let db: ClassicLevel<string, string>;
  try {
    db = await openLevel(dir);
  } catch (error) {
    if (isLocked(error)) throw new CheckpointInUseError(checkpointFile, await readHolder(dir), { cause: error });
    // LevelDB takes its lock before it reads the folder, so nobody held this one a moment ago; it
    // stores no data (a crash may have cut one of its own files): made again. Everything but LOCK is
    // removed: another process that found the same damage may have made it again and locked LOCK
    // since, and the lock is on that file — removing it would let this process lock a new one too.
    await emptyExceptLock(dir);
    try {
      db = await openLevel(dir);
    } catch (again) {
      if (isLocked(again)) throw new CheckpointInUseError(checkpointFile, await readHolder(dir), { cause: again });
      throw new Error(`cannot open the lock of checkpoint file ${checkpointFile} (${dir})`, { cause: again });
    }
  }
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), started_at: new Date().toISOString(), cwd: process.cwd() };
  try {
    await writeFileAtomic(join(dir, HOLDER_FILE), Buffer.from(JSON.stringify(holder) + '\n'));
  } catch (error) {
    await db.close();
    throw error;
  }
  let released: Promise<void> | undefined;
  return { dir, release: () => (released ??= db.close()) };
}

async function emptyExceptLock(dir: string): Promise<void> {
  const names = await folderEntries(dir);
  await Promise.all(names.filter((name) => name !== 'LOCK').map((name) => rm(join(dir, name), { recursive: true, force: true })));
}

/**
 * Several checkpoint files' locks (the events stream's, then the bad-rows stream's), in order: all
 * of them or none held — one refused releases those taken before it.
 */
export async function lockCheckpointFiles(checkpointFiles: readonly string[]): Promise<CheckpointLock[]> {
  const taken: CheckpointLock[] = [];
  try {
    for (const file of checkpointFiles) taken.push(await lockCheckpointFile(file));
    return taken;
  } catch (error) {
    await Promise.allSettled(taken.map((lock) => lock.release()));
    throw error;
  }
}

async function readHolder(dir: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { pid: parsed.pid, hostname: parsed.hostname, started_at: String(parsed.started_at), cwd: String(parsed.cwd) };
  } catch {
    // Not written yet (the holder is starting) or unreadable: the message says the holder is unknown.
    return undefined;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'holder unknown: it is starting, or it did not say';
  // holder.json is rewritten by each holder once it has the lock: one that just took it over from a
  // holder that exited may not have written yet, so the time says whose words these are.
  return `pid ${holder.pid} on host ${holder.hostname}, working directory ${holder.cwd}, as written at ${holder.started_at} by the process that took the lock`;
}
