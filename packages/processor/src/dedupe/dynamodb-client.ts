import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { keepAliveHandler } from '../keep-alive-handler';

export interface DynamoConnection {
  /** Emulator URL (dynalite); absent means real AWS. */
  endpoint?: string;
  region: string;
}

/** DynamoDB client settings: keep-alive HTTP/1.1; against an emulator, dummy credentials. */
export function dynamoClientConfig(connection: DynamoConnection): DynamoDBClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: keepAliveHandler(),
  };
}
