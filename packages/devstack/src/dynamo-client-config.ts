import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { emulatorClientBase } from './emulator-client-base';

/** DynamoDB client settings for the emulator: dummy credentials, region us-east-1, keep-alive HTTP/1.1. */
export function emulatorDynamoClientConfig(endpoint: string): DynamoDBClientConfig {
  return emulatorClientBase(endpoint);
}
