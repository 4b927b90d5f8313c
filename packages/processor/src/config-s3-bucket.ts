/**
 * S3's rules for a general purpose bucket name: 3–63 of a-z 0-9 . -, starting and ending with a
 * letter or digit, no two adjacent periods, not an IP address. Buckets made in us-east-1 before March
 * 2018 may also hold upper-case letters and underscores, up to 255 characters: accepted too.
 */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LEGACY_BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The rule as errors state it (the legacy names are not advertised: no bucket can be made so today). */
export const BUCKET_NAME_RULE = '3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an IP address';

/** `current`: a name by today's rule; `legacy`: one only a us-east-1 bucket made before March 2018 can have; undefined: no bucket name. */
export function bucketNameKind(value: string): 'current' | 'legacy' | undefined {
  if (value.includes('..') || IP_ADDRESS.test(value)) return undefined;
  if (BUCKET.test(value)) return 'current';
  return LEGACY_BUCKET.test(value) ? 'legacy' : undefined;
}

/**
 * S3_BUCKET's value, or a problem saying why it is not a bucket name. A URI (`s3://lake`), an ARN
 * or a path passes as a string and then fails every write (`InvalidBucketName`), each batch retried
 * for ever: refused here, with what to set instead.
 */
export function checkBucketName(value: string, problems: string[]): void {
  const hint = misuse(value);
  if (hint !== undefined) {
    problems.push(`S3_BUCKET must be a bucket name, got "${value}": ${hint}`);
    return;
  }
  if (bucketNameKind(value) !== undefined) return;
  problems.push(`S3_BUCKET must be an S3 bucket name (${BUCKET_NAME_RULE}), got "${value}"`);
}

function misuse(value: string): string | undefined {
  const uri = /^s3:\/\/([^/]+)(\/.*)?$/.exec(value);
  if (uri) return `use the bucket name "${uri[1]}", not a URI${uri[2] && uri[2] !== '/' ? `, and S3_PREFIX for the path "${uri[2].replace(/^\/+/, '')}"` : ''}`;
  const arn = /^arn:[^:]*:s3:::([^/]+)$/.exec(value);
  if (arn) return `use the bucket name "${arn[1]}", not its ARN`;
  if (value.startsWith('arn:')) return 'use the bucket name, not an ARN (access point ARNs are not supported: they could not be tested against the emulator)';
  if (/^https?:\/\//.test(value)) return 'use the bucket name, and S3_ENDPOINT for an endpoint URL';
  const slash = value.indexOf('/');
  if (slash > 0) return `use the bucket name "${value.slice(0, slash)}", and S3_PREFIX for the path "${value.slice(slash + 1)}"`;
  return undefined;
}
