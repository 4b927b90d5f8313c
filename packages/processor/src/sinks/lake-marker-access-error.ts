import { LAKE_FORMAT_MARKER } from '../delivery/lake-format-marker';

/**
 * S3's 403 codes that refuse the request's credentials, not a permission of the role: the key id is unknown
 * (`InvalidAccessKeyId`), the secret does not match it (`SignatureDoesNotMatch`), or the session token is
 * no good (`InvalidToken`, `ExpiredToken`). Reported as a missing s3:GetObject, they sent the operator to a
 * role policy that was fine.
 */
const CREDENTIALS_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken']);

/**
 * The 403s that mean a missing permission: `AccessDenied`, or a 403 that carries no code (the SDK names
 * it `Unknown`, or `Forbidden` for a body-less answer). Any other code (`RequestTimeTooSkewed`,
 * `AccountProblem`, `AllAccessDisabled`, …) has another cause, which the code names: prescribing role
 * permissions for it sent the operator to a policy that was fine.
 */
const PERMISSION_CODES = new Set(['AccessDenied', 'Unknown', 'Forbidden']);

/**
 * S3 refused the read or the write of the lake-format marker (HTTP 403): the role lacks a permission
 * (`AccessDenied`, or a 403 without a code), the credentials are not valid (`credentials`), or S3 gave
 * another reason, named by its code.
 * Without its own message the refusal reached the log as "delivery failed … Access Denied", which points at
 * the events' PutObject the role does allow. Not a configuration error on purpose: the gate tries again
 * before the next write, so a fixed role policy (IAM changes take seconds) or refreshed role credentials
 * deliver again without a restart or a new Lambda instance.
 */
export class LakeMarkerAccessError extends Error {
  /** Whether S3 refused the credentials themselves (`code` says how) rather than a permission. */
  readonly credentials: boolean;

  constructor(
    readonly key: string,
    readonly operation: 'read' | 'write',
    options: { cause: unknown; code?: string | undefined },
  ) {
    super(messageFor(key, operation, options.code), { cause: options.cause });
    this.name = 'LakeMarkerAccessError';
    this.credentials = options.code !== undefined && CREDENTIALS_CODES.has(options.code);
  }
}

/** The message for S3's 403 `code`: the credentials refused, a missing permission, or another cause the code names. */
function messageFor(key: string, operation: string, code: string | undefined): string {
  if (code === undefined || PERMISSION_CODES.has(code)) return deniedMessage(key, operation);
  return CREDENTIALS_CODES.has(code) ? credentialsMessage(key, operation, code) : otherMessage(key, operation, code);
}

function credentialsMessage(key: string, operation: string, code: string): string {
  return (
    `S3 refused the credentials for the ${operation} of the lake-format marker s3://${key} (403 ${code}): the credentials are not valid ` +
    `(${code === 'InvalidAccessKeyId' ? 'no such access key id' : code === 'SignatureDoesNotMatch' ? 'the secret access key does not match the key id' : 'the session token is not valid or has expired'}); ` +
    'this is not a missing permission. Every write checks the marker first, so nothing is delivered until the processor has valid credentials: ' +
    'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) when set, else the role\'s'
  );
}

function deniedMessage(key: string, operation: string): string {
  return (
    `S3 denied the ${operation} of the lake-format marker s3://${key} (403): every write checks it first, so nothing is delivered until the role allows ` +
    (operation === 'read'
      ? `s3:GetObject on that key and s3:ListBucket on the bucket (without s3:ListBucket S3 answers 403 instead of 404 for a marker that does not exist yet)`
      : `s3:PutObject on that key`) +
    `; with SSE-KMS also kms:Decrypt and kms:GenerateDataKey on the key's KMS key (${LAKE_FORMAT_MARKER}: see the processor README, "One events format per lake")`
  );
}

function otherMessage(key: string, operation: string, code: string): string {
  return (
    `S3 refused the ${operation} of the lake-format marker s3://${key} (403 ${code}): S3's code gives the cause (see S3's error responses), ` +
    `it is not a missing role permission. Every write checks the marker first, so nothing is delivered until that is resolved (${LAKE_FORMAT_MARKER}: see the processor README, "One events format per lake")`
  );
}
