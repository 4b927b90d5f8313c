import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { LAKE_FORMAT_MARKER, type MarkerStore } from '../delivery/lake-format-marker';
import { LakeMarkerAccessError } from './lake-marker-access-error';
import { normalisePrefix } from './s3-key-prefix';
import { withBucketNamed } from './s3-no-such-bucket';
import { S3_PUT_TIMEOUT } from './s3-sink';

/**
 * The lake-format marker at the S3 prefix root. The PUT is conditional (`If-None-Match: *`): where the
 * store honours it (S3 does), of two first starts one wins and the other reads its marker. Each call is
 * bounded like a small PUT of the sink: an S3 that never answers fails the start instead of holding it.
 * A 403 becomes a LakeMarkerAccessError naming the key and the permissions it needs, or, when S3 refused the
 * credentials themselves (InvalidAccessKeyId, SignatureDoesNotMatch), saying so with the code; another 403 code is named as such.
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
        // NoSuchBucket is a 404 too, but no sign of a missing marker.
        const named = withBucketNamed(error, bucket);
        if (named !== error) throw named;
        if (error instanceof NoSuchKey || statusOf(error) === 404) return undefined;
        throw statusOf(error) === 403 ? new LakeMarkerAccessError(`${bucket}/${key}`, 'read', { cause: error, code: codeOf(error) }) : error;
      }
    },
    async createIfAbsent(text) {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json', IfNoneMatch: '*' }), {
            abortSignal: AbortSignal.timeout(S3_PUT_TIMEOUT.baseMs),
          });
          return true;
        } catch (error) {
          const status = statusOf(error);
          if (status === 412) return false; // the key exists: another start wrote it first
          // 409 ConditionalRequestConflict: a concurrent write or delete of the key was in flight. AWS's
          // answer is to send the conditional PUT again, which then succeeds or meets the winner's 412.
          // Not a lost race: the other request may have been a delete, leaving no marker to read.
          if (status === 409 && attempt < CONFLICT_ATTEMPTS) continue;
          throw status === 403 ? new LakeMarkerAccessError(`${bucket}/${key}`, 'write', { cause: error, code: codeOf(error) }) : withBucketNamed(error, bucket);
        }
      }
    },
  };
}

/** Conditional PUTs sent while S3 answers 409; past that the error goes to the gate, which tries again at the next write. */
const CONFLICT_ATTEMPTS = 3;

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** S3's error code (`AccessDenied`, `InvalidAccessKeyId`, …): the SDK names the exception after it. */
function codeOf(error: unknown): string | undefined {
  return error instanceof S3ServiceException ? error.name : undefined;
}
