import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

/** Every record of a stream, shard by shard, in stream order within each shard. */
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

export const recordJson = (r: _Record) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Record<string, unknown>;
