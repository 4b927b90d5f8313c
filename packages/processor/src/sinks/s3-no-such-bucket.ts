import { S3ServiceException } from '@aws-sdk/client-s3';

/**
 * S3 answered NoSuchBucket. Its own message, "The specified bucket does not exist", names no bucket, and
 * it was all the retry lines said: this one names the bucket and what to do. The write is retried as
 * before (a bucket created meanwhile takes the retried flush).
 */
export class S3NoSuchBucketError extends Error {
  override readonly name = 'S3NoSuchBucketError';
  readonly code = 'NoSuchBucket';

  constructor(
    readonly bucket: string,
    options: { cause: unknown },
  ) {
    super(`S3 bucket "${bucket}" does not exist (NoSuchBucket): create it, or set S3_BUCKET to the lake's bucket; writes are retried until it exists`, options);
  }
}

/** `error` with the bucket named when S3 said NoSuchBucket, else `error` itself. */
export function withBucketNamed(error: unknown, bucket: string): unknown {
  return error instanceof S3ServiceException && error.name === 'NoSuchBucket' ? new S3NoSuchBucketError(bucket, { cause: error }) : error;
}
