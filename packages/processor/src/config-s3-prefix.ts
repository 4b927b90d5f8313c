import { MAX_OBJECT_NAME_BYTES } from './delivery/naming';
import { maxPrefixBytes } from './delivery/prefix';
import { normalisePrefix } from './sinks/s3-key-prefix';

/** S3's limit on an object key, in UTF-8 bytes. */
export const S3_MAX_KEY_BYTES = 1_024;

/**
 * The longest key the lake writes below S3_PREFIX, in bytes: the longer of the two prefix expressions at
 * their longest (maxPrefixBytes: a folder holding a record's value counts as 255 characters, in UTF-8 bytes) and the longest object
 * name (MAX_OBJECT_NAME_BYTES, 407). With the defaults 293 + 407 = 700, which leaves S3_PREFIX 324 bytes;
 * the lake-format marker at the prefix root is shorter.
 */
export function longestKeyBelowPrefix(eventPrefix: string, errorPrefix: string): number {
  return Math.max(maxPrefixBytes(eventPrefix), maxPrefixBytes(errorPrefix)) + MAX_OBJECT_NAME_BYTES;
}

/**
 * Whether the lake's keys fit S3's limit with no S3_PREFIX at all: each prefix expression at its longest
 * plus the longest object name. When one does not, the problem is EVENT_PREFIX's or ERROR_PREFIX's (no
 * S3_PREFIX could fix it), reported against it; the check ran only with S3_PREFIX set, so without one such
 * expressions were accepted and the longest records' writes failed for ever. False when a problem was pushed.
 */
export function prefixesFitS3Keys(prefixes: { events: string; errors: string }, problems: string[]): boolean {
  let fit = true;
  for (const [name, expression] of [
    ['EVENT_PREFIX', prefixes.events],
    ['ERROR_PREFIX', prefixes.errors],
  ] as const) {
    const longest = maxPrefixBytes(expression) + MAX_OBJECT_NAME_BYTES;
    if (longest <= S3_MAX_KEY_BYTES) continue;
    fit = false;
    problems.push(
      `${name} ${shown(expression)} writes keys of up to ${String(longest)} bytes (the prefix at its longest, a folder holding a record's value counted at 255 characters, ` +
        `plus an object name of up to ${String(MAX_OBJECT_NAME_BYTES)}), past S3's ${String(S3_MAX_KEY_BYTES)}-byte key limit even without S3_PREFIX: ` +
        `make it at most ${String(S3_MAX_KEY_BYTES - MAX_OBJECT_NAME_BYTES)} bytes at its longest (fewer or shorter folders)`,
    );
  }
  return fit;
}

/** Where the first C0 control, DEL or C1 control is (-1: none): a NUL in a key failed every write, a line break makes a key no listing shows right. */
function controlCharacterAt(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return i;
  }
  return -1;
}

const shown = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/**
 * `S3_PREFIX`, the folder inside the bucket, as the sink writes it: no leading `/`, a trailing one.
 * A URI, or `.`, `..` and empty folder names, passed as a string and became part of every key
 * (`s3://lake/data/events/…` under a folder named `s3:`): refused with what to write instead. So are a
 * control character and a prefix too long for the keys below it (`longestKeyBelow`, see
 * longestKeyBelowPrefix): accepted, every write failed and the shard retried it for ever.
 */
export function readS3Prefix(value: string | undefined, problems: string[], longestKeyBelow = 0): string {
  if (value === undefined) return '';
  const control = controlCharacterAt(value);
  if (control !== -1) {
    const code = `U+${value.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0')}`;
    problems.push(`S3_PREFIX ${shown(value)} has a control character (${code} at position ${String(control)}), which no S3 key should hold: remove it`);
    return '';
  }
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
  const bytes = Buffer.byteLength(prefix, 'utf8');
  if (bytes + longestKeyBelow > S3_MAX_KEY_BYTES) {
    problems.push(
      `S3_PREFIX ${shown(value)} is ${String(bytes)} bytes: the lake's keys below it take up to ${String(longestKeyBelow)} more (EVENT_PREFIX / ERROR_PREFIX and the object names), ` +
        `past S3's ${String(S3_MAX_KEY_BYTES)}-byte key limit; write at most ${String(Math.max(0, S3_MAX_KEY_BYTES - longestKeyBelow))} bytes`,
    );
    return '';
  }
  return prefix;
}
