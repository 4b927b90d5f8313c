import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

/**
 * Every record a stream holds, shard by shard, in stream order within each shard: what tests read
 * back to check what a writer really put there (duplicates included), independent of any consumer.
 */
export async function readStream(client: KinesisClient, stream: string): Promise<_Record[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
  const out: _Record[] = [];
  for (const shard of Shards) {
    let { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      out.push(...(page.Records ?? []));
      if (!page.Records?.length || !page.NextShardIterator) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return out;
}

/** A record's data parsed as the JSON object our writers put there. */
export const recordJson = (record: _Record): Record<string, unknown> =>
  JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
