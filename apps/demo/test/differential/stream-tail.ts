import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { InputRecord } from '@eventline/processor';

/**
 * Reads a stream from its start, shard by shard, keeping each shard's iterator between calls: each
 * `next` returns only the records written since the last one, grouped by shard (the processor's
 * delivery unit), in shard order.
 */
export interface StreamTail {
  next(expected: number, timeoutMs?: number): Promise<Map<string, InputRecord[]>>;
}

export async function tailStream(client: KinesisClient, stream: string): Promise<StreamTail> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
  const iterators = new Map<string, string | undefined>();
  for (const shard of Shards) {
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    iterators.set(shard.ShardId as string, ShardIterator);
  }
  return {
    /** Read until `expected` records came (at least one pass over every shard), or fail after `timeoutMs`. */
    async next(expected, timeoutMs = 20_000) {
      const out = new Map<string, InputRecord[]>();
      const deadline = Date.now() + timeoutMs;
      let count = 0;
      do {
        for (const [shardId, iterator] of iterators) {
          if (iterator === undefined) continue;
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          iterators.set(shardId, page.NextShardIterator);
          for (const r of page.Records ?? []) {
            const records = out.get(shardId) ?? [];
            records.push({ data: r.Data as Uint8Array, partitionKey: r.PartitionKey as string, sequenceNumber: r.SequenceNumber as string, arrivalTime: r.ApproximateArrivalTimestamp });
            out.set(shardId, records);
            count += 1;
          }
        }
        if (count >= expected) return out;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < deadline);
      throw new Error(`${stream}: ${count} of ${expected} records read in ${timeoutMs} ms`);
    },
  };
}
