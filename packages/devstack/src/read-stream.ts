import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

/**
 * Every record a stream holds, shard by shard, in stream order within each shard: what tests read
 * back to check what a writer really put there (duplicates included), independent of any consumer.
 */
export async function readStream(client: KinesisClient, stream: string): Promise<_Record[]> {
  const out: _Record[] = [];
  for (const shardId of await shardIds(client, stream)) for await (const records of shardPages(client, stream, shardId, null)) out.push(...records);
  return out;
}

/**
 * Every shard id of the stream, every page of ListShards (Kinesis pages past 1,000 shards). A paged
 * call carries NextToken alone: Kinesis refuses it together with StreamName.
 */
async function shardIds(client: KinesisClient, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }));
    for (const shard of page.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}

/**
 * The records of one shard after `sequenceNumber` (from its start when null), a page at a time, to
 * the tip: the emulators answer at once, so an empty page is the tip while no one writes.
 */
export async function* shardPages(client: KinesisClient, stream: string, shardId: string | undefined, sequenceNumber: string | null): AsyncGenerator<_Record[]> {
  let { ShardIterator } = await client.send(
    new GetShardIteratorCommand(
      sequenceNumber === null
        ? { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }
        : { StreamName: stream, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: sequenceNumber },
    ),
  );
  while (ShardIterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
    if (!page.Records?.length) return;
    yield page.Records;
    ShardIterator = page.NextShardIterator;
  }
}

/** A record's data parsed as the JSON object our writers put there. */
export const recordJson = (record: _Record): Record<string, unknown> =>
  JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
