import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeLeftoverTempFiles, tempFilePrefix, tempFilesAmong, writeFileAtomic } from '../delivery/atomic-write';
import { folderEntries } from '../folder-entries';
import { errorFields, type Logger } from '../log';
import { completedRangesOnly } from './checkpoint-completion';

/** The JSON written to the checkpoint file and to its copy. */
export interface CheckpointFile {
  version: 1;
  stream: string;
  /** Counts saves (1, 2, …): of two whole files, the higher one is the newer. Absent in files of earlier releases (read as 0). */
  save?: number;
  /**
   * Written by the first save after loading a file without a counter (an earlier release's): the
   * SHA-256 (hex) of that file's bytes. It proves a copy with save 1 was saved after that very file.
   */
  follows_sha256?: string;
  shards: Record<string, { sequence_number: string | null; ended: boolean; pending_through: string | null; updated_at: string }>;
}

/** `<dir>/events.json` → `<dir>/events.json.bak`: the copy each save writes before the main file. */
export function backupPath(path: string): string {
  return `${path}.bak`;
}

type FileState = { kind: 'absent' } | { kind: 'damaged'; error: Error } | { kind: 'whole'; file: CheckpointFile; text: string };

/**
 * Which checkpoints a start reads, given what a crash may have left. A save writes the copy
 * (`<file>.bak`), then the main file, each atomically where rename is (temp `.<name>.tmp-…`, fsync,
 * rename, fsync of the folder). Where rename is not atomic it may unlink the target and then rename,
 * or copy: a crash can leave a file absent, torn or empty, and the temp file behind. Save n, cut at:
 *
 * | crash during …                          | main file     | copy          | read           |
 * |-----------------------------------------|---------------|---------------|----------------|
 * | the copy's temp file                    | n-1           | n-1           | main (n-1)     |
 * | the copy's rename (unlinked, or torn)   | n-1           | absent / torn | main (n-1)     |
 * | the main file's temp file               | n-1           | n             | copy (n) *     |
 * | the main file's rename: unlinked        | absent + temp | n             | copy (n)       |
 * | … unlinked, then failed (temp kept)     | absent + temp | n             | copy (n)       |
 * | the main file's rename: torn            | torn          | n             | copy (n)       |
 * | after the save                          | n             | n             | main (n)       |
 *
 * (*) The main file (n-1) when save n only completed ranges it announced (`completedRangesOnly`):
 * a restore of main file and lake leaves the same pair, and reading the copy would skip that flush.
 * A main file cut itself (torn, or absent with its temp file) is read from the copy whatever save n
 * did: only a crash while it was being written with the copy's bytes leaves that (in save n, or in a
 * start putting it back), after the completed flush's files were durable (the copy skips nothing),
 * and save n-1's positions a replay would start from are gone (the torn bytes and the temp file are
 * save n's). A restore leaves a whole main file: the row above.
 *
 * Either state is one the flush order replays correctly (save n happened or it did not, and nothing
 * after it). When the copy is read, the main file is first written again from its bytes (atomically),
 * so a run that ends before its first save (Kinesis unreachable, SIGTERM) leaves a start the same two
 * whole files, never "main absent, no temp file" (moved away: a fresh start, a whole replay).
 *
 * Two whole files, the copy newer: a crash leaves the main file exactly one save behind (n-1, n).
 * The counter advances only when both files of a save were written (a retry after a failed save
 * writes the same number again), so failed saves followed by a crash leave that same gap of one. A
 * main file without a counter (save 0: an earlier release's) is one save behind a copy with save 1
 * only if that copy names the main file's bytes (`follows_sha256`): the first save after an upgrade,
 * cut. A bigger gap, or a main file without a counter that the copy does not name (a backup from
 * before the upgrade or before the copy existed), is a restore of the main file alone (or a copy of it
 * next to another run's copy): reading the copy would skip the records between the two, so the start
 * refuses, naming both. Two
 * files with the same number are read from the main file (a failed attempt's copy and its retry's
 * may differ; the main file is at worst the older: a replay). A main file newer than its copy is read
 * (an operator's restore of the main file).
 *
 * A main file that is absent with no temp file of its own next to it was moved away by an operator: a
 * fresh start, and its copy (of the moved file) is removed, so that a later crash cannot make a start
 * read it and skip to the old run's positions.
 *
 * Neither file whole while the main file's save was cut (torn, or absent with its temp file): save n's
 * main rename lost the file (temp kept), then a later save's copy rename lost the copy too, or crashes
 * tore both. The newest whole temp file is read and put back (`readCutTemps`); none whole is refused.
 */
export async function readCheckpoints(path: string, streamName: string, log: Logger | undefined): Promise<WholeCheckpoints | undefined> {
  const backup = backupPath(path);
  const [main, copy] = [await readState(path, streamName), await readState(backup, streamName)];
  // The temp files a crash left next to both files, from one read of their folder.
  const names = await folderEntries(dirname(path));
  const temps = { main: tempFilesAmong(names, path), copy: tempFilesAmong(names, backup) };
  const chosen = await choose({ path, backup, main, copy, temps, streamName }, log);
  // The main file put back (from the copy, or from a temp file) before the temp files go: a start that
  // saves nothing must not leave the next one a copy with neither main file nor temp file (read as
  // moved away: a whole replay), nor nothing at all (a fresh start).
  if (chosen && chosen !== main) await writeFileAtomic(path, Buffer.from(chosen.text), { keepTempIfTargetLost: true });
  await removeLeftoverTempFiles([...temps.main, ...temps.copy]);
  return chosen;
}

/** A checkpoint file read whole, with its bytes as text. */
export interface WholeCheckpoints {
  file: CheckpointFile;
  text: string;
}

/** The hex SHA-256 of a checkpoint file's text, as `follows_sha256` names it. */
export function checkpointSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a start found: both files, and the temp files next to each. */
interface Found {
  path: string;
  backup: string;
  main: FileState;
  copy: FileState;
  temps: { main: readonly string[]; copy: readonly string[] };
  streamName: string;
}

async function choose(found: Found, log: Logger | undefined): Promise<WholeCheckpoints | undefined> {
  const { path, backup, main, copy } = found;
  if (main.kind === 'whole') {
    if (copy.kind === 'whole' && saveOf(copy.file) > saveOf(main.file)) {
      if (!crashCut(main, copy.file)) throw new Error(restoredAloneMessage(path, backup, main.file, copy.file));
      const completed = completedRangesOnly(main.file, copy.file);
      if (completed) {
        log?.('warn', 'checkpoint file one save behind its copy, which only completes ranges the file announced (a crash after a flush, or the file and lake restored from a backup); read from the file: the announced ranges are written again', {
          checkpoint_file: path,
          copy: backup,
          file_save: saveOf(main.file),
          copy_save: saveOf(copy.file),
          shards: completed,
        });
        return main;
      }
      log?.('warn', 'checkpoint file older than its copy (a crash cut its last save, or the disk lost or reordered a write); read from its copy', {
        checkpoint_file: path,
        copy: backup,
        file_save: saveOf(main.file),
        copy_save: saveOf(copy.file),
      });
      return copy;
    }
    return main;
  }
  if (copy.kind === 'whole') {
    if (main.kind === 'damaged') {
      log?.('warn', 'checkpoint file damaged (a crash cut its last write); read from its copy', { checkpoint_file: path, copy: backup, ...errorFields(main.error) });
      return copy;
    }
    const cutRename = await cutMainRename(found.temps.main, copy.file);
    if (cutRename) {
      log?.('warn', 'checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy', { checkpoint_file: path, copy: backup, temp_file: cutRename });
      return copy;
    }
  }
  if (main.kind === 'absent' && found.temps.main.length === 0) {
    // Moved away (or never written: a first save cut while writing the copy).
    if (copy.kind !== 'absent') {
      await rm(backup, { force: true });
      log?.('warn', 'checkpoint file absent (moved away): a fresh start, every shard read from its start; its copy was removed', { checkpoint_file: path, copy: backup });
    }
    return undefined;
  }
  if (copy.kind === 'whole') {
    // Absent with only temp files older than the copy: moved away after a later save (see cutMainRename).
    await rm(backup, { force: true });
    log?.('warn', 'checkpoint file absent (moved away): a fresh start, every shard read from its start; its copy was removed', { checkpoint_file: path, copy: backup });
    return undefined;
  }
  return await readCutTemps(found, log);
}

/**
 * Neither the main file nor its copy is whole, and the main file's save was cut (it is torn, or absent
 * with its temp file left): a rename that unlinks its target lost the main file (its temp file kept),
 * then a later save's copy the same way, or a crash tore the rest. The newest save is then only in a
 * temp file: the newest whole one is read (of one counter, the main file's: at worst the older state,
 * as with two whole files), and put back as the main file. A fresh start here would read every shard
 * from its start (duplicates in the lake); with no whole temp file the start refuses, naming them.
 */
async function readCutTemps(found: Found, log: Logger | undefined): Promise<WholeCheckpoints> {
  const { path, backup, main, copy, temps, streamName } = found;
  const read = await Promise.all([...temps.main, ...temps.copy].sort(byName(temps.main)).map(async (temp) => ({ temp, state: await readState(temp, streamName) })));
  let newest: { temp: string; file: WholeCheckpoints } | undefined;
  for (const { temp, state } of read) {
    if (state.kind === 'whole' && (newest === undefined || saveOf(state.file) > saveOf(newest.file.file))) newest = { temp, file: state };
  }
  if (newest) {
    log?.('warn', 'checkpoint file and its copy missing or damaged (saves cut mid-rename); read from the newest whole temp file, put back as the checkpoint file', {
      checkpoint_file: path,
      copy: backup,
      temp_file: newest.temp,
      save: saveOf(newest.file.file),
    });
    return newest.file;
  }
  const tempStates = read.map(({ temp, state: s }) => (s.kind === 'damaged' ? s.error.message : `${temp} is gone`));
  const files =
    main.kind === 'damaged'
      ? copy.kind === 'damaged'
        ? `${main.error.message}, and so is its copy ${backup} (${copy.error.message}).`
        : `${main.error.message}, and it has no copy ${backup} (written by releases before the copy existed, or removed).`
      : `checkpoint file ${path} is absent, a save of it cut mid-rename (its temp file is left), and its copy ${backup} is ${copy.kind === 'damaged' ? `damaged (${copy.error.message})` : 'absent too'}.`;
  const left = read.length === 0 ? '' : ` No temp file a cut save left is whole either: ${tempStates.join('; ')}.`;
  throw new Error(`${files}${left} ${damagedAdvice(path)}`, main.kind === 'damaged' ? { cause: main.error } : undefined);
}

/** The main file's temp files before the copy's, each group by name: of equal counters, the main file's is read. */
function byName(mainTemps: readonly string[]): (a: string, b: string) => number {
  const group = (temp: string): number => (mainTemps.includes(temp) ? 0 : 1);
  return (a, b) => group(a) - group(b) || a.localeCompare(b);
}

/**
 * The copy one save ahead of the main file: what a crash between the two writes leaves. A main file
 * without a counter (save 0) counts as one save behind only when the copy names its bytes: the first
 * save after an upgrade, cut (a backup of the main file alone restored next to it holds other bytes).
 */
function crashCut(main: WholeCheckpoints, copy: CheckpointFile): boolean {
  if (saveOf(copy) !== saveOf(main.file) + 1) return false;
  return saveOf(main.file) >= 1 || copy.follows_sha256 === checkpointSha256(main.text);
}

function restoredAloneMessage(path: string, backup: string, main: CheckpointFile, copy: CheckpointFile): string {
  const mainSave = main.save === undefined ? 'no save counter: an earlier release\'s file, or a backup from before the copy existed' : `save ${saveOf(main)}`;
  const notOneSave =
    saveOf(main) !== 0 || saveOf(copy) !== 1
      ? `is older than its copy ${backup} (save ${saveOf(copy)}) by more than the one save a crash can cut`
      : copy.follows_sha256 === undefined
        ? `sits next to a copy ${backup} (save 1) that does not name the file it followed (a fresh start's first save, or a build before the copy named it), so it cannot be told to be that file`
        : `is not the file its copy ${backup} (save 1) was saved after (that copy names the file it followed)`;
  return (
    `checkpoint file ${path} (${mainSave}) ${notOneSave}: ` +
    'the checkpoint file alone restored from a backup, or brought next to another run\'s copy? Neither is read (the copy would skip the records between the two). ' +
    `If you restored ${path} (and the lake to the same point): remove ${backup}, or restore it from the same backup, and start again. ` +
    `If nothing was restored (a disk that lost writes, or an upgrade's first save cut by a build whose copy did not name the file it followed): replace ${path} with ${backup} and start again`
  );
}

/**
 * The main file's temp file left by the save whose rename a crash cut: `.<name>.tmp-…` next to it. One
 * left by an older save (a crash long ago) holds a lower save counter than the copy, and is not it.
 */
async function cutMainRename(mainTemps: readonly string[], copy: CheckpointFile): Promise<string | undefined> {
  for (const temp of mainTemps) {
    const state = await readState(temp, copy.stream).catch(() => ({ kind: 'damaged' }) as const);
    if (state.kind === 'whole' && saveOf(state.file) < saveOf(copy)) continue;
    return temp;
  }
  return undefined;
}

export function saveOf(file: CheckpointFile): number {
  return file.save ?? 0;
}

/** What to do about checkpoints none of which can be read. */
function damagedAdvice(path: string): string {
  return (
    `Restore it from a backup, or move it and its copy (.bak) away, with any temp files ${tempFilePrefix(path)}… and ${tempFilePrefix(backupPath(path))}… next to them, to read every shard from its start: records still in the stream are then written again, ` +
    'in files of other names (duplicates in the lake; PostgreSQL stays exact)'
  );
}

/** A checkpoint file that is there but cannot be read as one (torn, emptied, not JSON, unknown shape). */
class DamagedCheckpointError extends Error {}

async function readState(path: string, streamName: string): Promise<FileState> {
  try {
    const read = await readCheckpointFile(path, streamName);
    return read ? { kind: 'whole', ...read } : { kind: 'absent' };
  } catch (error) {
    if (error instanceof DamagedCheckpointError) return { kind: 'damaged', error };
    throw error;
  }
}

async function readCheckpointFile(path: string, streamName: string): Promise<{ file: CheckpointFile; text: string } | undefined> {
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
  return { file: parsed, text };
}

function isCheckpointFile(value: unknown): value is CheckpointFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.version !== 1 || typeof v.stream !== 'string' || typeof v.shards !== 'object' || v.shards === null) return false;
  if (v.save !== undefined && !(Number.isSafeInteger(v.save) && (v.save as number) >= 0)) return false;
  return Object.values(v.shards).every((entry: unknown) => {
    const e = entry as Record<string, unknown> | null;
    return e !== null && typeof e === 'object' && (typeof e.sequence_number === 'string' || e.sequence_number === null) &&
      typeof e.ended === 'boolean' &&
      (e.pending_through === undefined || e.pending_through === null || typeof e.pending_through === 'string');
  });
}
