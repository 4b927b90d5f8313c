/**
 * Firehose-style S3 prefix expressions, evaluated per record:
 * `!{timestamp:yyyy-MM-dd}` (UTC; yyyy MM dd HH mm ss), `!{partitionKeyFromQuery:app_id}` /
 * `!{partitionKeyFromLambda:app_id}` (a key of the record's partition keys), and
 * `!{firehose:error-output-type}` (error prefixes only). `!{firehose:random-string}` is refused:
 * object keys must be a pure function of the records, or a replay would add copies.
 */
export interface PrefixContext {
  timestamp: Date;
  partitionKeys: Readonly<Record<string, string>>;
  errorOutputType?: string;
}

export type Prefix = (context: PrefixContext) => string;

export class PrefixExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrefixExpressionError';
  }
}

/** One record's values cannot fill the prefix (a missing key, an unsafe value): that record is refused, not the expression. */
export class PartitionValueError extends PrefixExpressionError {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionValueError';
  }
}

export const DEFAULT_EVENT_PREFIX = 'events/app_id=!{partitionKeyFromQuery:app_id}/event_date=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/';
export const DEFAULT_ERROR_PREFIX = 'bad_rows/error_type=!{firehose:error-output-type}/event_date=!{timestamp:yyyy-MM-dd}/';

const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;
const TIME_TOKENS = /yyyy|MM|dd|HH|mm|ss/g;
const SAFE_VALUE = /^[A-Za-z0-9_.=-]+$/;

/** Parse once (errors surface at start-up), evaluate per record. */
export function compilePrefix(expression: string, kind: 'events' | 'errors' = 'events'): Prefix {
  if (expression !== '' && !expression.endsWith('/')) throw new PrefixExpressionError(`prefix "${expression}" must end with "/"`);
  if (expression.startsWith('/') || expression.split('/').includes('..')) throw new PrefixExpressionError(`prefix "${expression}" must be relative`);
  const parts: Prefix[] = [];
  let last = 0;
  for (const match of expression.matchAll(EXPRESSION)) {
    const literal = expression.slice(last, match.index);
    parts.push(() => literal);
    parts.push(evaluator(match[1] ?? '', match[2] ?? '', kind));
    last = match.index + match[0].length;
  }
  const tail = expression.slice(last);
  if (tail.includes('!{')) throw new PrefixExpressionError(`unterminated expression in prefix "${expression}"`);
  parts.push(() => tail);
  const join: Prefix = (context) => parts.map((part) => part(context)).join('');
  // Only a record's own values can make an unusable folder; the literals were checked above.
  return /!\{(partitionKeyFrom|firehose:)/.test(expression) ? (context) => usableFolders(join(context)) : join;
}

/** The longest file or folder name most file systems take (ext4, XFS, APFS, NTFS: 255). */
const MAX_FOLDER_NAME = 255;

/**
 * A value alone in its folder could be `.` or `..` (an event named `..` with `!{partitionKeyFromQuery:event}/`),
 * or make a folder name too long: either way no sink can write the object, and the flush would fail
 * on every retry. As any other unusable value, the record becomes a `partition` bad row instead.
 */
function usableFolders(prefix: string): string {
  let start = 0;
  for (let end = prefix.indexOf('/'); end !== -1; start = end + 1, end = prefix.indexOf('/', start)) {
    const length = end - start;
    if (length > MAX_FOLDER_NAME) {
      throw new PartitionValueError(`partition values make a folder name of ${String(length)} characters (at most ${String(MAX_FOLDER_NAME)}): "${prefix.slice(start, start + 40)}…"`);
    }
    if (length <= 2 && /^\.{1,2}$/.test(prefix.slice(start, end))) {
      throw new PartitionValueError(`partition values make a folder named "${prefix.slice(start, end)}", which a path cannot hold`);
    }
  }
  return prefix;
}

function evaluator(namespace: string, key: string, kind: 'events' | 'errors'): Prefix {
  if (namespace === 'timestamp') {
    if (key.replace(TIME_TOKENS, '').match(/[A-Za-z]/)) throw new PrefixExpressionError(`unsupported timestamp format "${key}"`);
    return ({ timestamp }) => formatUtc(timestamp, key);
  }
  if (namespace === 'partitionKeyFromQuery' || namespace === 'partitionKeyFromLambda') {
    // As in Firehose: a bad row has no partition keys, so its prefix could never be filled.
    if (kind === 'errors') throw new PrefixExpressionError(`!{${namespace}:${key}} is not allowed in the error prefix`);
    return ({ partitionKeys }) => safe(partitionKeys[key], key);
  }
  if (namespace === 'firehose' && key === 'error-output-type') {
    if (kind !== 'errors') throw new PrefixExpressionError('!{firehose:error-output-type} is only allowed in the error prefix');
    return ({ errorOutputType }) => safe(errorOutputType, key);
  }
  if (namespace === 'firehose' && key === 'random-string') {
    throw new PrefixExpressionError('!{firehose:random-string} would break exactly-once object names');
  }
  throw new PrefixExpressionError(`unknown prefix expression !{${namespace}:${key}}`);
}

function safe(value: string | undefined, key: string): string {
  if (value === undefined) throw new PartitionValueError(`partition key "${key}" has no usable value: the record has none`);
  if (!SAFE_VALUE.test(value)) {
    throw new PartitionValueError(`partition key "${key}" has no usable value: ${JSON.stringify(value)} (a folder name takes only A-Z a-z 0-9 _ . = -)`);
  }
  return value;
}

function formatUtc(at: Date, format: string): string {
  if (Number.isNaN(at.getTime())) throw new PartitionValueError('cannot partition by an invalid date');
  const year = at.getUTCFullYear();
  if (year < 0 || year > 9999) throw new PartitionValueError(`cannot partition by year ${year}: yyyy takes 0000 to 9999`);
  const values: Record<string, string> = {
    // Four digits, as Firehose writes it: year 999 is 0999 (`event_date=999-06-01` matched no date pattern).
    yyyy: String(year).padStart(4, '0'),
    MM: pad(at.getUTCMonth() + 1),
    dd: pad(at.getUTCDate()),
    HH: pad(at.getUTCHours()),
    mm: pad(at.getUTCMinutes()),
    ss: pad(at.getUTCSeconds()),
  };
  return format.replace(TIME_TOKENS, (token) => values[token] ?? token);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
