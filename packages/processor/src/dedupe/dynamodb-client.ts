import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { keepAliveHandler } from '../keep-alive-handler';

export interface DynamoConnection {
  /** Emulator URL (dynalite); absent means real AWS. */
  endpoint?: string;
  region: string;
  /** Silence after which a call fails; default DYNAMO_TIMEOUTS.idleMs (tests shorten it). */
  idleTimeoutMs?: number;
}

/**
 * The handler has no timeouts of its own: a claim DynamoDB never answers would hold the Lambda until
 * its own timeout. Seen-index calls are small (≤ 100 keys read, ≤ 25 written) and answered in
 * milliseconds, so 10 s without a byte is a hung call; the SDK retries it.
 */
export const DYNAMO_TIMEOUTS = { connectMs: 5_000, idleMs: 10_000 };

/** DynamoDB client settings: keep-alive HTTP/1.1 with timeouts; against an emulator, dummy credentials. */
export function dynamoClientConfig(connection: DynamoConnection): DynamoDBClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: keepAliveHandler({ connectionTimeout: DYNAMO_TIMEOUTS.connectMs, socketTimeout: connection.idleTimeoutMs ?? DYNAMO_TIMEOUTS.idleMs }),
  };
}
