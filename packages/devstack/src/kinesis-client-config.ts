import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { emulatorClientBase } from './emulator-client-base';

/**
 * Client settings for a local emulator. HTTP/1.1 with keep-alive is required: the SDK's
 * default HTTP/2 handler fails on emulator responses over ~16 KB.
 */
export function emulatorKinesisClientConfig(endpoint: string): KinesisClientConfig {
  return { ...emulatorClientBase(endpoint), maxAttempts: 3 };
}
