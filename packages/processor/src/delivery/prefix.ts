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
/** The keys an event's prefix context has (`eventContext`); `event` only on track events. */
const PARTITION_KEYS: readonly string[] = ['app_id', 'type', 'event'];

/** Parse once (errors surface at start-up), evaluate per record. */
export function compilePrefix(expression: string, kind: 'events' | 'errors' = 'events'): Prefix {
  if (expression !== '' && !expression.endsWith('/')) throw new PrefixExpressionError(`prefix "${expression}" must end with "/"`);
  if (expression.startsWith('/') || expression.split('/').includes('..')) throw new PrefixExpressionError(`prefix "${expression}" must be relative`);
  // A folder sink's path.join reads `a//b` and `a/./b` as `a/b`, S3 keeps them: one setting, two layouts.
  if (/\/\/|(^|\/)\.\//.test(expression)) throw new PrefixExpressionError(`prefix "${expression}" has an empty or "." folder name: write each folder once, "a/b/"`);
  const parts: Prefix[] = [];
  let last = 0;
  const matches = [...expression.matchAll(EXPRESSION)];
  for (const match of matches) {
    const literal = expression.slice(last, match.index);
    parts.push(() => literal);
    parts.push(evaluator(match[1] ?? '', match[2] ?? '', kind));
    last = match.index + match[0].length;
  }
  // `yyyy/mm/dd`: mm is the minute (as in Firehose), and a minute folder without an hour one mixes all 24 hours.
  const formats = matches.filter((m) => m[1] === 'timestamp').map((m) => m[2] ?? '');
  if (formats.some((f) => f.includes('mm')) && !formats.some((f) => f.includes('HH'))) {
    throw new PrefixExpressionError(`prefix "${expression}": mm is the minute, and no HH comes with it: write MM for the month`);
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
 * The most bytes a (valid) prefix expression can write for any record: literals as they are, a
 * `!{timestamp:…}` as many as its format (each field writes as many digits as it has letters, yyyy a
 * four-digit year), and a folder holding a record's value (partition key, error type) at most
 * MAX_FOLDER_NAME characters, as usableFolders refuses a longer one (that record becomes a bad row).
 * usableFolders counts UTF-16 units, not bytes: such a folder is its fixed part in UTF-8 bytes plus the
 * units left to the values, one byte each (a value takes only ASCII, see SAFE_VALUE). Counted as 255
 * bytes flat, a non-ASCII literal next to a value (`日…=!{partitionKeyFromQuery:app_id}/`) was undercounted
 * and an S3_PREFIX accepted whose keys went past S3's limit.
 */
export function maxPrefixBytes(expression: string): number {
  const RECORD_VALUE = '\u0000'; // a stand-in no valid expression holds
  // A timestamp format may hold `/` (`!{timestamp:yyyy/MM/dd}`): formats first, then folders.
  const written = expression.replace(EXPRESSION, (_match, namespace: string, format: string) => (namespace === 'timestamp' ? format : RECORD_VALUE));
  return written
    .split('/')
    .map((folder, i, all) => folderBytes(folder, RECORD_VALUE) + (i < all.length - 1 ? 1 : 0))
    .reduce((sum, bytes) => sum + bytes, 0);
}

/** The most UTF-8 bytes one folder of maxPrefixBytes can write; `value` marks where a record's values go. */
function folderBytes(folder: string, value: string): number {
  if (!folder.includes(value)) return Buffer.byteLength(folder, 'utf8');
  const fixed = folder.split(value).join('');
  return Buffer.byteLength(fixed, 'utf8') + Math.max(0, MAX_FOLDER_NAME - fixed.length);
}

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
    const problem = timestampFormatProblem(key);
    if (problem !== undefined) throw new PrefixExpressionError(`!{timestamp:${key}}: ${problem}`);
    return ({ timestamp }) => formatUtc(timestamp, key);
  }
  if (namespace === 'partitionKeyFromQuery' || namespace === 'partitionKeyFromLambda') {
    // As in Firehose: a bad row has no partition keys, so its prefix could never be filled.
    if (kind === 'errors') throw new PrefixExpressionError(`!{${namespace}:${key}} is not allowed in the error prefix`);
    // Any other key is on no record: every event would become a `partition` bad row.
    if (!PARTITION_KEYS.includes(key)) throw new PrefixExpressionError(`!{${namespace}:${key}}: no partition key "${key}" (the keys are ${PARTITION_KEYS.join(', ')})`);
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

const TIME_FIELDS = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss'];

/** What Firehose's Java DateTimeFormatter letters mean, where they are not ours: each wrote another value. */
const LETTER_HINTS: Readonly<Record<string, string>> = {
  Y: 'is the week-based year (the next year already in the last days of December): write yyyy',
  u: 'is the proleptic year: write yyyy',
  D: 'is the day of the year: write dd for the day of the month',
  h: 'is the hour on a 12-hour clock: write HH',
  k: 'is the hour from 1 to 24: write HH',
  K: 'is the hour on a 12-hour clock from 0: write HH',
  S: 'is a fraction of the second: write ss',
};

/**
 * Why a `!{timestamp:…}` format would not write what it says (undefined: it is fine). Each run of one
 * letter is a field, as in Java's DateTimeFormatter: only yyyy MM dd HH mm ss, each exactly so
 * (`MMMM` is Java's month name; it wrote `1111`). Quotes and brackets are Java's syntax, written here
 * as they were; other characters are literal.
 */
function timestampFormatProblem(format: string): string | undefined {
  if (format === '') return 'an empty format writes nothing: write one, e.g. yyyy-MM-dd';
  const syntax = /['[\]#{]/.exec(format);
  if (syntax) return `"${syntax[0]}" is pattern syntax in Firehose and is not supported: write literal text outside the expression, e.g. year=!{timestamp:yyyy}/`;
  for (const [run] of format.matchAll(/([A-Za-z])\1*/g)) {
    if (TIME_FIELDS.includes(run)) continue;
    const letter = run.charAt(0);
    const field = TIME_FIELDS.find((f) => f.startsWith(letter));
    const hint = LETTER_HINTS[letter] ?? (letter === 'M' && run.length > 2 ? 'is the month name: write MM' : field ? `is not supported: write ${field}` : 'is not supported');
    return `"${run}" ${hint} (supported: ${TIME_FIELDS.join(' ')})`;
  }
  return undefined;
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
