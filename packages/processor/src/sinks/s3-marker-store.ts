import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { LAKE_FORMAT_MARKER, type MarkerStore } from '../delivery/lake-format-marker';
import { normalisePrefix } from './s3-key-prefix';
import { S3_PUT_TIMEOUT } from './s3-sink';

/**
 * The lake-format marker at the S3 prefix root. The PUT is conditional (`If-None-Match: *`): where the
 * store honours it (S3 does), of two first starts one wins and the other reads its marker. Each call is
 * bounded like a small PUT of the sink: an S3 that never answers fails the start instead of holding it.
 */
export function s3MarkerStore(client: S3Client, bucket: string, prefix: string): MarkerStore {
  const key = `${normalisePrefix(prefix)}${LAKE_FORMAT_MARKER}`;
  return {
    where: `s3://${bucket}/${normalisePrefix(prefix)}`,
    async read() {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(S3_PUT_TIMEOUT.baseMs) });
        return (await object.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return undefined;
        throw error;
      }
    },
    async createIfAbsent(text) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json', IfNoneMatch: '*' }), {
          abortSignal: AbortSignal.timeout(S3_PUT_TIMEOUT.baseMs),
        });
        return true;
      } catch (error) {
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return false;
        throw error;
      }
    },
  };
}
