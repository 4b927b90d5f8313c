import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

export interface ShardInfo {
  shardId: string;
  /** The shard it was split from, or both shards it was merged from (ParentShardId, AdjacentParentShardId). */
  parentShardIds: string[];
  /** Closed shards (after a reshard) have an ending sequence number. */
  closed: boolean;
}

/** Every shard of the stream, following NextToken (a paged call must not repeat StreamName). */
export async function listShards(client: KinesisClient, streamName: string, signal?: AbortSignal): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }),
      signal ? { abortSignal: signal } : {},
    );
    for (const shard of page.Shards ?? []) {
      if (!shard.ShardId) continue;
      shards.push({
        shardId: shard.ShardId,
        parentShardIds: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => id !== undefined && id !== ''),
        closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

/**
 * Keep per-key order across a reshard: a shard may start once every parent still listed has
 * been read to its end (a merge has two; a parent past retention is no longer listed).
 */
export function parentsEnded(shard: ShardInfo, listed: ReadonlySet<string>, ended: ReadonlySet<string>): boolean {
  return shard.parentShardIds.every((parent) => !listed.has(parent) || ended.has(parent));
}
