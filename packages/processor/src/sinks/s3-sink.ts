import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Sink } from '../delivery/sink';

export interface S3SinkOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix inside the bucket (`lake/`); empty for the bucket root. */
  prefix?: string;
}

/**
 * A Sink over S3: one PutObject per file. S3 makes a PUT atomic (readers see the whole object
 * or none) and durable once it returns 200, and a PUT of the same key replaces the object, so
 * deterministic names keep the lake exactly-once here too.
 */
export function createS3Sink(options: S3SinkOptions): Sink {
  const prefix = normalisePrefix(options.prefix ?? '');
  return {
    async write(objectKey, bytes) {
      if (objectKey === '' || objectKey.startsWith('/') || objectKey.split('/').includes('..')) {
        throw new RangeError(`object key must be a relative path inside the lake: ${JSON.stringify(objectKey)}`);
      }
      await options.client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: prefix + objectKey,
          Body: bytes,
          ContentLength: bytes.byteLength,
          // No Content-Encoding: the object *is* a .gz file, and downloads must return it byte for byte.
          ContentType: objectKey.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip',
        }),
      );
    },
  };
}

function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
