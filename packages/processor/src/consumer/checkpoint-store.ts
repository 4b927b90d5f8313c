import { removeTempFilesOf, writeFileAtomic } from '../delivery/atomic-write';
import type { Logger } from '../log';
import { backupPath, type CheckpointFile, checkpointSha256, readCheckpoints, saveOf } from './checkpoint-file-read';

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

/**
 * All shards of one stream in one JSON file, rewritten atomically on every save (temp + fsync +
 * rename), so a crash leaves either the previous or the new checkpoints, never a torn file — where
 * the file system's rename is atomic. Where it is not (a crash mid-rename on some network or FUSE
 * file systems), each save first writes the same content to `<path>.bak`, and both carry a save
 * counter; which one a start reads after each possible crash is in `readCheckpoints`. Saves are
 * serialised: concurrent shard loops cannot interleave writes.
 */
export function createFileCheckpointStore(path: string, streamName: string, options: { log?: Logger } = {}): CheckpointStore {
  const current = new Map<string, ShardCheckpoint & { updatedAt: string }>();
  const backup = backupPath(path);
  let loaded = false;
  /** The counter of the last save whose two files were both written. */
  let committed = 0;
  /** The SHA-256 of the loaded file when it has no counter (an earlier release's): save 1 names it. */
  let follows: string | undefined;
  let queue: Promise<void> = Promise.resolve();
  /** A main-file write failed since the last whole save: it may have kept its temp file. */
  let mainWriteFailed = false;

  async function load(): Promise<Map<string, ShardCheckpoint>> {
    const read = await readCheckpoints(path, streamName, options.log);
    const file = read?.file;
    committed = file ? saveOf(file) : 0;
    follows = read && committed === 0 ? checkpointSha256(read.text) : undefined;
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
      // Each attempt writes committed + 1, and the counter moves on only once both files are written:
      // failed saves (ENOSPC, EPERM on the main file) retried, then a crash between the two writes,
      // still leave the main file at most one save behind its copy — the gap a start reads through.
      // A retry may write the number a failed attempt already wrote; of two files with one number
      // the main file is read (at worst the older state: a replay, nothing skipped).
      const save = committed + 1;
      // The first save after an upgrade names the file it follows: a crash between its two writes then
      // leaves a copy a start can prove is one save ahead of that file (which has no counter to compare).
      const bytes = Buffer.from(JSON.stringify(serialize(streamName, save, save === 1 ? follows : undefined, current), null, 2) + '\n');
      // The copy first, then the main file: a crash cuts at most one of them, and a main file cut
      // mid-rename (absent, its temp file left) is then told from one moved away by that temp file.
      // A main-file rename that fails after removing the file (non-atomic rename) keeps its temp file:
      // a stop or crash before a save succeeds then reads as that cut (the copy), not as moved away.
      // The copy's temp file is not kept when its rename loses the copy: a start reading neither file whole
      // reads the main file's kept temp file (that save's number, which every retry until a success
      // writes), and a copy's temp file lingering after later saves would be an older state it could read.
      await writeFileAtomic(backup, bytes);
      await writeFileAtomic(path, bytes, { keepTempIfTargetLost: true }).catch((error: unknown) => {
        mainWriteFailed = true;
        throw error;
      });
      committed = save;
      // Once the main file is whole again, a kept temp file is no cut: a file moved away later is.
      if (mainWriteFailed) {
        mainWriteFailed = !(await removeTempFilesOf(path).then(
          () => true,
          () => false,
        ));
      }
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

function serialize(stream: string, save: number, follows: string | undefined, shards: Map<string, ShardCheckpoint & { updatedAt: string }>): CheckpointFile {
  const out: CheckpointFile = { version: 1, stream, save, ...(follows ? { follows_sha256: follows } : {}), shards: {} };
  for (const [id, c] of [...shards].sort(([a], [b]) => a.localeCompare(b))) {
    out.shards[id] = { sequence_number: c.sequenceNumber, ended: c.ended, pending_through: c.pendingThrough ?? null, updated_at: c.updatedAt };
  }
  return out;
}

