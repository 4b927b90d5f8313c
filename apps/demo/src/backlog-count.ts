import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, shardPages } from '@eventline/devstack';
import { createFileCheckpointStore, listShards, type ShardCheckpoint } from '@eventline/processor';

/** One stream the processor reads, and the checkpoint file it resumes that stream from. */
export interface CheckpointedStream {
  name: string;
  checkpointFile: string;
}

/** Where the processor starts each stream: its checkpoints as saved when it last stopped, by shard. */
export type StartPositions = Map<string, Map<string, ShardCheckpoint>>;

/**
 * Read before the processor starts (it moves them on from then): through the processor's own reader
 * of its files, so a copy read after a torn save is the one it will read too.
 */
export async function readStartPositions(streams: readonly CheckpointedStream[]): Promise<StartPositions> {
  const positions: StartPositions = new Map();
  for (const stream of streams) positions.set(stream.name, await createFileCheckpointStore(stream.checkpointFile, stream.name).load());
  return positions;
}

/**
 * How many records the processor reads from `positions` on, by stream: the records each shard holds
 * after its checkpoint (all of them without one; none in a shard it ended), read as the processor
 * reads them, its shards listed as it lists them (the processor's `listShards`, every page). Meant for
 * while no one writes (the ingest not started), so the streams stand still but for their retention:
 * a record it trimmed is skipped here as there, and neither counts it.
 */
export async function countFrom(endpoint: string, positions: StartPositions, signal?: AbortSignal): Promise<Record<string, number>> {
  const client = new KinesisClient(emulatorKinesisClientConfig(endpoint));
  try {
    const counts: Record<string, number> = {};
    for (const [stream, checkpoints] of positions) {
      let count = 0;
      for (const { shardId } of await listShards(client, stream, signal)) {
        const checkpoint = checkpoints.get(shardId);
        if (checkpoint?.ended) continue;
        count += await countAfter(client, stream, shardId, checkpoint?.sequenceNumber ?? null, signal);
      }
      counts[stream] = count;
    }
    return counts;
  } finally {
    client.destroy();
  }
}

/** Records of one shard after `sequenceNumber` (from its start when null), to the tip (devstack's shardPages). */
async function countAfter(client: KinesisClient, stream: string, shardId: string, sequenceNumber: string | null, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  let count = 0;
  for await (const records of shardPages(client, stream, shardId, sequenceNumber)) {
    signal?.throwIfAborted();
    count += records.length;
  }
  return count;
}
