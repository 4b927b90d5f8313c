import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface S3Connection {
  /** Emulator URL (http://127.0.0.1:4568); absent means real AWS. */
  endpoint?: string;
  region: string;
  dummyCredentials?: boolean;
  /** Silence after which a call fails; default S3_TIMEOUTS.idleMs (tests shorten it). */
  idleTimeoutMs?: number;
}

/**
 * Like the Kinesis client's: without timeouts a write S3 never answers would hold its flush for
 * good (checkpoints stop, /readyz still 200). Idle, not total, so a large upload that keeps moving
 * is never cut off; 30 s of silence is far beyond S3's answer to a PutObject it has received. The
 * SDK retries a timed-out call (3 attempts in all); the flush then fails and is retried whole.
 */
export const S3_TIMEOUTS = { connectMs: 5_000, idleMs: 30_000 };

/**
 * S3 client settings. Against an emulator (s3rver): path-style URLs, and checksums only when
 * required — otherwise uploads use aws-chunked framing that s3rver stores inside the object.
 */
export function s3ClientConfig(connection: S3Connection): S3ClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint
      ? { endpoint: connection.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    ...(connection.dummyCredentials ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
      connectionTimeout: S3_TIMEOUTS.connectMs,
      socketTimeout: connection.idleTimeoutMs ?? S3_TIMEOUTS.idleMs,
    }),
  };
}
