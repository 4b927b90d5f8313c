import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface EmulatorClientBase {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestHandler: NodeHttpHandler;
}

/**
 * The AWS SDK client settings every local emulator takes: dummy credentials, region us-east-1 and
 * HTTP/1.1 with keep-alive (the SDK's default HTTP/2 handler fails on emulator responses over ~16 KB).
 */
export function emulatorClientBase(endpoint: string): EmulatorClientBase {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  };
}
