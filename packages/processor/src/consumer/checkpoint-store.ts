import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../delivery/atomic-write';
import { errorFields, type Logger } from '../log';

/** How far one shard has been delivered: every record up to and including `sequenceNumber`. */
export interface ShardCheckpoint {
  /** Null only for a closed shard that held no records. */
  sequenceNumber: string | null;
  /** The shard is closed (resharded) and was read to its end: nothing more will come from it. */
  ended: boolean;
  /**
   * Set just before a flush's files are written: the flush covers the records after
   * `sequenceNumber` up to and including this one. A restart re-flushes exactly that range.
   */
  pendingThrough?: string;
}

/**
 * Per flush: saved once with `pendingThrough` before any file is written (the range is announced),
 * then with the new `sequenceNumber` only after every file and row of that range is durable.
 */
export interface CheckpointStore {
  load(): Promise<Map<string, ShardCheckpoint>>;
  save(shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
}

interface CheckpointFile {
  version: 1;
  stream: string;
  shards: Record<string, { sequence_number: string | null; ended: boolean; pending_through: string | null; updated_at: string }>;
}

/**
 * All shards of one stream in one JSON file, rewritten atomically on every save (temp + fsync +
 * rename), so a crash leaves either the previous or the new checkpoints, never a torn file — where
 * the file system's rename is atomic. Where it is not (a crash mid-rename on some network or FUSE
 * file systems, a disk that lies about fsync), each save then writes the same content to
 * `<path>.bak`: one of the two is always whole, and the main file is never older than the copy. A
 * main file that is there but unreadable is read from the copy (logged): exactly the state before
 * the save the crash cut, which the flush protocol replays like a crash before that save. A main
 * file that is absent is a fresh start, copy or not (moving the checkpoint file away is how an
 * operator asks for one). Saves are serialised: concurrent shard loops cannot interleave writes.
 */
export function createFileCheckpointStore(path: string, streamName: string, options: { log?: Logger } = {}): CheckpointStore {
  const current = new Map<string, ShardCheckpoint & { updatedAt: string }>();
  const backup = backupPath(path);
  let loaded = false;
  let queue: Promise<void> = Promise.resolve();

  async function load(): Promise<Map<string, ShardCheckpoint>> {
    const file = await readWithBackup(path, backup, streamName, options.log);
    current.clear();
    for (const [shardId, entry] of Object.entries(file?.shards ?? {})) {
      current.set(shardId, {
        sequenceNumber: entry.sequence_number,
        ended: entry.ended,
        ...(entry.pending_through ? { pendingThrough: entry.pending_through } : {}),
        updatedAt: entry.updated_at,
      });
    }
    loaded = true;
    return new Map([...current].map(([id, { updatedAt: _updatedAt, ...checkpoint }]) => [id, checkpoint]));
  }

  function save(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    if (!loaded) return Promise.reject(new Error('checkpoint store: call load() before save()'));
    const write = queue.then(async () => {
      const { pendingThrough, ...rest } = checkpoint;
      current.set(shardId, { ...rest, ...(pendingThrough ? { pendingThrough } : {}), updatedAt: new Date().toISOString() });
      const bytes = Buffer.from(JSON.stringify(serialize(streamName, current), null, 2) + '\n');
      // The main file first, then the copy: a crash cuts at most one of them.
      await writeFileAtomic(path, bytes);
      await writeFileAtomic(backup, bytes);
    });
    // The caller gets this save's error through `write`; the queue itself moves on to the next save.
    queue = write.then(
      () => undefined,
      () => undefined,
    );
    return write;
  }

  return { load, save };
}

function serialize(stream: string, shards: Map<string, ShardCheckpoint & { updatedAt: string }>): CheckpointFile {
  const out: CheckpointFile = { version: 1, stream, shards: {} };
  for (const [id, c] of [...shards].sort(([a], [b]) => a.localeCompare(b))) {
    out.shards[id] = { sequence_number: c.sequenceNumber, ended: c.ended, pending_through: c.pendingThrough ?? null, updated_at: c.updatedAt };
  }
  return out;
}

/** `<dir>/events.json` → `<dir>/events.json.bak`: the copy each save writes after the main file. */
export function backupPath(path: string): string {
  return `${path}.bak`;
}

/** A checkpoint file that is there but cannot be read as one (torn, emptied, not JSON, unknown shape). */
class DamagedCheckpointError extends Error {}

async function readWithBackup(path: string, backup: string, streamName: string, log: Logger | undefined): Promise<CheckpointFile | undefined> {
  try {
    return await readCheckpointFile(path, streamName);
  } catch (error) {
    if (!(error instanceof DamagedCheckpointError)) throw error;
    let copy: CheckpointFile | undefined;
    try {
      copy = await readCheckpointFile(backup, streamName);
    } catch (copyError) {
      throw new Error(`${error.message}, and so is its copy ${backup} (${errorFields(copyError).error as string}). ${DAMAGED_ADVICE}`, { cause: error });
    }
    if (!copy) throw new Error(`${error.message}, and it has no copy ${backup} (written by releases before the copy existed). ${DAMAGED_ADVICE}`, { cause: error });
    log?.('warn', 'checkpoint file damaged (a crash cut its last write); read from its copy, the state before that write', {
      checkpoint_file: path,
      copy: backup,
      ...errorFields(error),
    });
    return copy;
  }
}

const DAMAGED_ADVICE =
  'Restore it from a backup, or move it away to read every shard from its start: records still in the stream are then written again, ' +
  'in files of other names (duplicates in the lake; PostgreSQL stays exact)';

async function readCheckpointFile(path: string, streamName: string): Promise<CheckpointFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DamagedCheckpointError(`checkpoint file ${path} is not valid JSON (${text.length === 0 ? 'empty' : `${text.length} characters`})`, { cause: error });
  }
  if (!isCheckpointFile(parsed)) {
    throw new DamagedCheckpointError(`checkpoint file ${path} has an unknown shape (expected version 1 with "stream" and "shards")`);
  }
  if (parsed.stream !== streamName) {
    throw new Error(`checkpoint file ${path} belongs to stream "${parsed.stream}", not "${streamName}"`);
  }
  return parsed;
}

function isCheckpointFile(value: unknown): value is CheckpointFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.version !== 1 || typeof v.stream !== 'string' || typeof v.shards !== 'object' || v.shards === null) return false;
  return Object.values(v.shards).every((entry: unknown) => {
    const e = entry as Record<string, unknown> | null;
    return e !== null && typeof e === 'object' && (typeof e.sequence_number === 'string' || e.sequence_number === null) &&
      typeof e.ended === 'boolean' &&
      (e.pending_through === undefined || e.pending_through === null || typeof e.pending_through === 'string');
  });
}
