import { Agent } from 'node:http';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Client settings for a local emulator. HTTP/1.1 with keep-alive is required: the SDK's
 * default HTTP/2 handler fails on emulator responses over ~16 KB.
 */
export function kinesisClientConfig(endpoint: string): KinesisClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
    maxAttempts: 3,
  };
}
