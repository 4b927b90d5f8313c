import type { ChildProcess } from 'node:child_process';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ensureStreams, readStream, recordJson, startKinesis, stopChild, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll } from 'vitest';
import { createKinesisClient } from '../src';
import { startIngest } from './ingest-process';

/**
 * The real Node entry in front of kinesalite, for the Segment-client payload tests: registers the suite's
 * beforeAll/afterAll and reads back what a library's payload stored (events whose `context.library.name` is it).
 */
export function segmentClientsHarness(key: string, stream: string) {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;
  let ingest: ChildProcess;
  const state = { url: '' };

  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, [stream, `${stream}-bad`].map((name) => ({ name, shards: 1 })));
    client = createKinesisClient({ endpoint: kinesis.endpoint, region: 'us-east-1' });
    const started = await startIngest({ KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: `${key}=${stream}`, STREAM_NAME: stream, BAD_ROWS_STREAM_NAME: `${stream}-bad` });
    ingest = started.child;
    state.url = started.url;
  }, 60_000);

  afterAll(async () => {
    if (ingest) await stopChild(ingest, 5000);
    client?.destroy();
    await kinesis?.stop();
  });

  return {
    get url() {
      return state.url;
    },
    async storedBy(library: string): Promise<Record<string, unknown>[]> {
      const events = (await readStream(client, stream)).map(recordJson);
      return events.filter((e) => (e.context as { library: { name: string } }).library.name === library);
    },
    badRows: async () => (await readStream(client, `${stream}-bad`)).map(recordJson),
  };
}
