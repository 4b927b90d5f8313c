import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A Kinesis client for real AWS (endpoint absent: default credential chain) or an emulator.
 * HTTP/1.1 keep-alive: the default HTTP/2 handler breaks on emulator responses over ~16 KB.
 */
export function createKinesisClient(opts: { endpoint?: string; region: string }): KinesisClient {
  const local = opts.endpoint !== undefined;
  return new KinesisClient({
    region: opts.region,
    // The writer retries failed calls and entries itself, inside its time budget.
    maxAttempts: 1,
    ...(local ? { endpoint: opts.endpoint, credentials: localCredentials() } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
    }),
  });
}

function localCredentials() {
  // Emulators accept any non-empty credentials; real ones from the environment win.
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local',
  };
}
