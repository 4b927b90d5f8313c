import { normalisePrefix } from './sinks/s3-key-prefix';

/**
 * `S3_PREFIX`, the folder inside the bucket, as the sink writes it: no leading `/`, a trailing one.
 * A URI, or `.`, `..` and empty folder names, passed as a string and became part of every key
 * (`s3://lake/data/events/…` under a folder named `s3:`): refused with what to write instead.
 */
export function readS3Prefix(value: string | undefined, problems: string[]): string {
  if (value === undefined) return '';
  const uri = /^s3:\/\/[^/]*\/?(.*)$/i.exec(value);
  if (uri) {
    problems.push(`S3_PREFIX must be the folder inside the bucket, got "${value}": write "${uri[1] ?? ''}" (the bucket goes to S3_BUCKET)`);
    return '';
  }
  // `arn:` or `<scheme>://` only: a colon is a valid key character (`env:prod/`).
  if (/^arn:/i.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    problems.push(`S3_PREFIX must be the folder inside the bucket, not a URL or ARN, got "${value}"`);
    return '';
  }
  const prefix = normalisePrefix(value);
  if (prefix === '') return '';
  const folders = prefix.slice(0, -1).split('/');
  if (folders.some((folder) => folder === '' || folder === '.' || folder === '..')) {
    problems.push(`S3_PREFIX "${value}" has an empty, "." or ".." folder name, which S3 keeps in every key: write the folders once each, e.g. "lake/prod/"`);
    return '';
  }
  return prefix;
}
