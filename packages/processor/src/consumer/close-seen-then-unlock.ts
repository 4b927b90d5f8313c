import type { SeenIndex } from '../dedupe/seen-index';
import type { CheckpointLock } from './checkpoint-lock';

/**
 * Close the seen index, then release the checkpoint lock whether or not closing failed: a lock kept
 * after a failed close would refuse every later consumer in this process (the kernel drops it only
 * when the process exits). The close error, if any, is thrown after the release.
 */
export async function closeSeenThenUnlock(seen: SeenIndex | undefined, lock: CheckpointLock | undefined): Promise<void> {
  try {
    await seen?.close();
  } finally {
    await lock?.release();
  }
}
