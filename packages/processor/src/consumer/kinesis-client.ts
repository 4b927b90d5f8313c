import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisConnection {
  /** Emulator URL (http://127.0.0.1:4567); absent means real AWS. */
  endpoint?: string;
  region: string;
  /** Use fixed dummy credentials (emulators accept anything); otherwise the default chain. */
  dummyCredentials?: boolean;
}

/**
 * A KinesisClient config with an HTTP/1.1 keep-alive handler. The SDK's default handler fails
 * against both local emulators on responses over ~16 KB, and keep-alive matters for a poll loop.
 */
export function kinesisClientConfig(connection: KinesisConnection): KinesisClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
    }),
  };
}
