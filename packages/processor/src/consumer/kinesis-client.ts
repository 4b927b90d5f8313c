import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { keepAliveHandler } from '../keep-alive-handler';

export interface KinesisConnection {
  /** Emulator URL (http://127.0.0.1:4567); absent means real AWS. */
  endpoint?: string;
  region: string;
  /** Use fixed dummy credentials (emulators accept anything); otherwise the default chain. */
  dummyCredentials?: boolean;
  /** Silence after which a call fails; default KINESIS_TIMEOUTS.idleMs (tests shorten it). */
  idleTimeoutMs?: number;
}

/**
 * The handler has no timeouts of its own: a call the server never answers would hang its reader
 * for good (lag frozen, /readyz still 200). Kinesis answers GetRecords at once (it never long-polls),
 * so 10 s without a byte is a hung call; the SDK retries it (3 attempts in all).
 */
export const KINESIS_TIMEOUTS = { connectMs: 5_000, idleMs: 10_000 };

/**
 * A KinesisClient config with an HTTP/1.1 keep-alive handler. The SDK's default handler fails
 * against both local emulators on responses over ~16 KB, and keep-alive matters for a poll loop.
 */
export function kinesisClientConfig(connection: KinesisConnection): KinesisClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // An idle timeout, not a total one: a large page that keeps arriving is never cut off.
    requestHandler: keepAliveHandler({ connectionTimeout: KINESIS_TIMEOUTS.connectMs, socketTimeout: connection.idleTimeoutMs ?? KINESIS_TIMEOUTS.idleMs }),
  };
}
