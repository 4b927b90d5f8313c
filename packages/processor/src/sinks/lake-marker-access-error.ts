import { LAKE_FORMAT_MARKER } from '../delivery/lake-format-marker';

/**
 * S3 denied the read or the write of the lake-format marker (HTTP 403). Without its own message the
 * denial reached the log as "delivery failed … Access Denied", which points at the events' PutObject the
 * role does allow. Not a configuration error on purpose: the gate tries again before the next write, so a
 * fixed role policy (IAM changes take seconds) delivers again without a restart or a new Lambda instance.
 */
export class LakeMarkerAccessError extends Error {
  constructor(
    readonly key: string,
    readonly operation: 'read' | 'write',
    options: { cause: unknown },
  ) {
    super(
      `S3 denied the ${operation} of the lake-format marker s3://${key} (403): every write checks it first, so nothing is delivered until the role allows ` +
        (operation === 'read'
          ? `s3:GetObject on that key and s3:ListBucket on the bucket (without s3:ListBucket S3 answers 403 instead of 404 for a marker that does not exist yet)`
          : `s3:PutObject on that key`) +
        `; with SSE-KMS also kms:Decrypt and kms:GenerateDataKey on the key's KMS key (${LAKE_FORMAT_MARKER}: see the processor README, "One events format per lake")`,
      options,
    );
    this.name = 'LakeMarkerAccessError';
  }
}
