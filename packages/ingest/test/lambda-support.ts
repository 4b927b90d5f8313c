import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { WRITE_KEY } from './helpers';

/** What the bundled-Lambda tests write to: an emulator with the ingest's two streams, and a client to read them back. */
export interface LambdaKinesis {
  kinesis: KinesisEmulator;
  client: KinesisClient;
  stop(): Promise<void>;
}

export async function startLambdaKinesis(): Promise<LambdaKinesis> {
  const kinesis = await startKinesis();
  await ensureStreams(kinesis.endpoint, [
    { name: 'events', shards: 1 },
    { name: 'events-bad', shards: 1 },
  ]);
  const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  return {
    kinesis,
    client,
    stop: async () => {
      client.destroy();
      await kinesis.stop();
    },
  };
}

/** The environment a bundled ingest Lambda runs with in the tests: the runtime's name, one write key, the emulator. */
export function lambdaEnv(kinesisEndpoint: string): Record<string, string> {
  return {
    // Set by the Lambda runtime: the app is built while the module loads.
    AWS_LAMBDA_FUNCTION_NAME: 'ingest',
    INGEST_WRITE_KEYS: `${WRITE_KEY}=shop`,
    INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example',
    KINESIS_ENDPOINT: kinesisEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}
