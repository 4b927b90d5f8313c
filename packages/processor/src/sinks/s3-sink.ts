import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Sink } from '../delivery/sink';
import { normalisePrefix } from './s3-key-prefix';
import { withBucketNamed } from './s3-no-such-bucket';

export interface S3SinkOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix inside the bucket (`lake/`); empty for the bucket root. */
  prefix?: string;
  /** Time allowed per PutObject (all SDK attempts): `baseMs` + the body at `bytesPerSecond`. Default S3_PUT_TIMEOUT. */
  putTimeout?: { baseMs: number; bytesPerSecond: number };
}

/**
 * Without a bound, a PUT that S3 never answers would hold its flush for good (checkpoints stop,
 * /readyz still 200). The bound grows with the object, so a large file on a slow uplink is not cut
 * off: 30 s plus 1 s per 128 KiB (5 MiB, the default buffer: 70 s; 128 MiB, the largest: ~17 min).
 * A PUT over it is aborted; the flush fails and is retried whole, which the errors metric and
 * /readyz show.
 */
export const S3_PUT_TIMEOUT = { baseMs: 30_000, bytesPerSecond: 128 * 1024 };

/**
 * A Sink over S3: one PutObject per file. S3 makes a PUT atomic (readers see the whole object
 * or none) and durable once it returns 200, and a PUT of the same key replaces the object, so
 * deterministic names keep the lake exactly-once here too.
 */
export function createS3Sink(options: S3SinkOptions): Sink {
  const prefix = normalisePrefix(options.prefix ?? '');
  const timeout = options.putTimeout ?? S3_PUT_TIMEOUT;
  return {
    async write(objectKey, bytes) {
      if (objectKey === '' || objectKey.startsWith('/') || objectKey.split('/').includes('..')) {
        throw new RangeError(`object key must be a relative path inside the lake: ${JSON.stringify(objectKey)}`);
      }
      try {
        await options.client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: prefix + objectKey,
            Body: bytes,
            ContentLength: bytes.byteLength,
            // No Content-Encoding: the object *is* a .gz file, and downloads must return it byte for byte.
            ContentType: objectKey.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip',
          }),
          { abortSignal: AbortSignal.timeout(timeout.baseMs + Math.ceil((bytes.byteLength / timeout.bytesPerSecond) * 1000)) },
        );
      } catch (error) {
        throw withBucketNamed(error, options.bucket);
      }
    },
  };
}
