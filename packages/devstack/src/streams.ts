import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig } from './kinesis-client-config';

export interface StreamSpec {
  name: string;
  shards: number;
}

/** Create each stream unless it exists, and wait until all are ACTIVE. */
export async function ensureStreams(endpoint: string, streams: StreamSpec[], timeoutMs = 30_000): Promise<void> {
  const client = new KinesisClient(emulatorKinesisClientConfig(endpoint));
  try {
    for (const { name, shards } of streams) {
      try {
        await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    const deadline = Date.now() + timeoutMs;
    for (const { name } of streams) {
      for (;;) {
        const { StreamDescriptionSummary: s } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (s?.StreamStatus === 'ACTIVE') break;
        if (Date.now() > deadline) throw new Error(`stream ${name} not ACTIVE within ${timeoutMs} ms (status ${s?.StreamStatus})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    client.destroy();
  }
}
