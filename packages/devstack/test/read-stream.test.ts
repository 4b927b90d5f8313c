import { KinesisClient, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorKinesisClientConfig, ensureStreams, readStream, recordJson, startKinesis, startKinesisFaultProxy, type KinesisEmulator, type KinesisFaultProxy } from '../src';

// Kinesis answers ListShards in pages past 1,000 shards; kinesis-local pages when asked for fewer
// (MaxResults), which the fault proxy asks for: a paged listing without a thousand shards.
let kinesis: KinesisEmulator;
let proxy: KinesisFaultProxy;

beforeAll(async () => {
  kinesis = await startKinesis({ engine: 'kinesis-local' });
  proxy = await startKinesisFaultProxy(kinesis.endpoint);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await kinesis?.stop();
});

describe('readStream', () => {
  it('reads every shard when ListShards answers in pages (NextToken followed)', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'paged', shards: 7 }]);
    const direct = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const sent: number[] = [];
    try {
      // One record in each shard, at its hash range's first key.
      const { Shards = [] } = await direct.send(new ListShardsCommand({ StreamName: 'paged' }));
      expect(Shards).toHaveLength(7);
      for (const [i, shard] of Shards.entries()) {
        await direct.send(new PutRecordCommand({ StreamName: 'paged', PartitionKey: 'k', ExplicitHashKey: shard.HashKeyRange!.StartingHashKey!, Data: Buffer.from(JSON.stringify({ i })) }));
        sent.push(i);
      }
    } finally {
      direct.destroy();
    }
    proxy.plan.listShardsPageSize = 3;
    const client = new KinesisClient(emulatorKinesisClientConfig(proxy.endpoint));
    try {
      const read = (await readStream(client, 'paged')).map((r) => recordJson(r).i as number);
      expect(read.sort((a, b) => a - b)).toEqual(sent);
      expect(proxy.stats.calls.ListShards).toBe(3); // 3 + 3 + 1 shards
    } finally {
      client.destroy();
    }
  });
});
