import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { WRITE_CONCURRENCY } from '../delivery/deliver';
import { keepAliveHandler } from '../keep-alive-handler';

export interface S3Connection {
  /** Emulator URL (http://127.0.0.1:4568); absent means real AWS. */
  endpoint?: string;
  region: string;
  dummyCredentials?: boolean;
}

/** A connection S3 never accepts fails after this; a call that hangs is bounded by the sink (s3-sink.ts). */
export const S3_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connections to S3 per process: each flush writes through a pool of WRITE_CONCURRENCY files, and
 * a few shards (and the bad-rows stream) may flush at the same time; past this, uploads wait for a
 * free connection instead of opening one socket each (one flush of 5,000 partitions opened 5,004).
 */
export const S3_MAX_SOCKETS = 4 * WRITE_CONCURRENCY;

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
    // No socket idle timeout: over TLS, Node does not count the progress of one large body write,
    // so an idle timeout cuts off a long upload that is still moving.
    requestHandler: keepAliveHandler({ connectionTimeout: S3_CONNECT_TIMEOUT_MS, maxSockets: S3_MAX_SOCKETS }),
  };
}
