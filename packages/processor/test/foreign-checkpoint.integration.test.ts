import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();

// kinesalite checks, as Kinesis does, that a sequence number came from the stream it is used on
// (kinesis-local does not): what a stream deleted and created again, or a checkpoint file of another
// stream or emulator, looks like to the consumer.
describe('a checkpoint holding another stream\'s sequence number (kinesalite)', () => {
  let kinesis: KinesisEmulator;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 1 }]);
    // kinesalite's sequence numbers hold their stream's creation time (in seconds): another second, another stream.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await ensureStreams(kinesis.endpoint, [{ name: 'elsewhere', shards: 1 }]);
  }, 60_000);
  afterAll(async () => {
    await kinesis?.stop();
    await dirs.cleanup();
  });

  it('is retried with a log line that says what is wrong and how to recover', { timeout: 60_000 }, async () => {
    const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const put = await client.send(new PutRecordCommand({ StreamName: 'elsewhere', PartitionKey: 'k', Data: new TextEncoder().encode('{}') }));
    client.destroy();
    const dir = await dirs.make();
    const checkpointFile = join(dir, 'checkpoints', 'events.json');
    await mkdir(join(dir, 'checkpoints'));
    const shard = { sequence_number: put.SequenceNumber, ended: false, pending_through: null, updated_at: new Date().toISOString() };
    await writeFile(checkpointFile, JSON.stringify({ version: 1, stream: 'events', shards: { [put.ShardId!]: shard } }));
    const errors: Record<string, unknown>[] = [];
    const running = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: 'events',
      lakeDir: join(dir, 'lake'),
      checkpointFile,
      pollIntervalMs: 100,
      logger: (level, msg, fields) => void (level === 'error' && errors.push({ msg, ...fields })),
    });
    try {
      await waitFor('the failed GetShardIterator logged', () => errors.length > 0);
    } finally {
      await running.stop();
    }
    expect(errors[0]).toMatchObject({ msg: 'shard read or delivery failed; retrying', error_name: 'InvalidArgumentException', shard: put.ShardId });
    expect(errors[0]!.hint).toMatch(/^the checkpoint holds a sequence number of another stream .* move the checkpoint file \(CHECKPOINT_FILE\), its copy \(CHECKPOINT_FILE\.bak\) and the hidden temp files next to them \(\.<name>\.tmp-…\) away/);
  });
});
