import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dedupeKey, openSeenIndex, type InputRecord } from '../src';

/**
 * Events/s of the LevelDB seen index (cross-flush dedupe of the local consumer): one claim per flush of
 * `flush` new event_ids, each a synced LevelDB batch, on a fresh index in the temp folder. A
 * figure of its own, not part of the delivery ratios (the Lambda modes and the bench's delivery
 * path do not use it).
 */
export async function seenIndexRate(input: readonly InputRecord[], flush: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'eventline-bench-seen-'));
  const index = await openSeenIndex({ dir: join(dir, 'seen') });
  try {
    const events = input.map((r) => ({ key: dedupeKey(JSON.parse(r.data.toString()) as { app_id: string; event_id: string }), sequenceNumber: r.sequenceNumber }));
    const start = process.hrtime.bigint();
    for (let i = 0; i < events.length; i += flush) await index.claim('shardId-000000000000', events.slice(i, i + flush));
    return events.length / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}
