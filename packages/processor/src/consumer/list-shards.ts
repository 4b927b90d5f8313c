import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
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
        ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
        closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}
