import { KinesisClient, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, startKinesis, startKinesisFaultProxy, type KinesisEmulator, type KinesisFaultProxy } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFrom, type StartPositions } from '../src/backlog-count';

// The backlog count lists a stream's shards as the processor does: every page of ListShards. Kinesis
// pages past 1,000 shards; kinesis-local pages when asked for fewer (MaxResults), which the proxy does.
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

describe('countFrom', () => {
  it('counts the records of every shard when ListShards answers in pages (NextToken followed)', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'paged', shards: 12 }]);
    const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    try {
      // One record in each shard (its hash range's first key), two in the last.
      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: 'paged' }));
      expect(Shards).toHaveLength(12);
      for (const shard of [...Shards, Shards.at(-1)!]) {
        await client.send(new PutRecordCommand({ StreamName: 'paged', PartitionKey: 'k', ExplicitHashKey: shard.HashKeyRange!.StartingHashKey!, Data: Buffer.from('{}') }));
      }
    } finally {
      client.destroy();
    }
    proxy.plan.listShardsPageSize = 5;
    expect(await countFrom(proxy.endpoint, new Map([['paged', new Map()]]) as StartPositions)).toEqual({ paged: 13 });
    expect(proxy.stats.calls.ListShards).toBe(3);
  });
});
