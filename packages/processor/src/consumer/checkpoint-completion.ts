import type { CheckpointFile } from './checkpoint-file-read';

/**
 * The shards whose announced range (`pending_through`) `copy` completes, when that is ALL `copy`
 * changes from `main`: for each such shard the copy's `sequence_number` is the main file's
 * `pending_through`, with no pending range and the same `ended`; every other shard is the same
 * (`updated_at` aside). Undefined when the copy changes anything else (announces a range, marks a
 * shard ended, adds or drops a shard) or completes nothing.
 *
 * Why: a copy one save ahead of the main file is read as "a crash between the two writes", but the
 * same pair is what a main file (and lake) restored from a backup made between the run's last two
 * saves leaves. Reading such a copy would skip the completed flush, whose files the restored lake may
 * lack; reading the main file replays the announced range into the same files (names derived from the
 * content, the seen index keeping the records' own claims), which is harmless after a crash too.
 */
export function completedRangesOnly(main: CheckpointFile, copy: CheckpointFile): string[] | undefined {
  const ids = Object.keys(main.shards);
  if (ids.length !== Object.keys(copy.shards).length) return undefined;
  const completed: string[] = [];
  for (const id of ids) {
    const before = main.shards[id];
    const after = copy.shards[id];
    if (before === undefined || after === undefined || before.ended !== after.ended) return undefined;
    const pendingBefore = before.pending_through ?? null;
    const pendingAfter = after.pending_through ?? null;
    if (after.sequence_number === before.sequence_number && pendingAfter === pendingBefore) continue;
    if (pendingBefore === null || pendingAfter !== null || after.sequence_number !== pendingBefore) return undefined;
    completed.push(id);
  }
  return completed.length > 0 ? completed : undefined;
}
