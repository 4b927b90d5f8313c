import { checkEndpointUrl, DEFAULT_LAKE_FORMAT } from '@eventline/schemas';
import { checkPiiPolicy, PiiPolicyError, type PiiPolicy } from './core/pii';
import type { EventFormat } from './delivery/deliver';
import { compilePrefix, DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX, PrefixExpressionError, type Prefix } from './delivery/prefix';
import { checkBucketName } from './config-s3-bucket';
import { longestKeyBelowPrefix, prefixesFitS3Keys, readS3Prefix } from './config-s3-prefix';
import { optional, readIntegerEnv } from './config-value';
import { PG_DEFAULTS } from './sinks/postgres-sink';
import { checkTable, isPlainPgName, PostgresConfigError } from './sinks/postgres-schema';

/** Where and how flushes are written, read from the environment (shared by the Node and Lambda entries). */
export interface DeliveryEnv {
  format: EventFormat;
  gzipLevel: number;
  eventPrefix: Prefix;
  errorPrefix: Prefix;
  /** The expressions as configured, for the ready line. */
  prefixes: { events: string; errors: string };
  pii: PiiPolicy;
  /** Set: write to S3 instead of the lake folder. */
  s3: { bucket: string; prefix: string; endpoint: string | undefined; dummyCredentials: boolean } | undefined;
  /** Set: also write rows to PostgreSQL. */
  postgres:
    | { url: string; schema: string; table: string; batchSize: number; connectTimeoutMs: number; statementTimeoutMs: number; applicationName: string }
    | undefined;
}

export function readDeliveryEnv(env: NodeJS.ProcessEnv, problems: string[]): DeliveryEnv {
  const format = optional(env.OUTPUT_FORMAT) ?? DEFAULT_LAKE_FORMAT;
  if (format !== 'ndjson' && format !== 'parquet') problems.push(`OUTPUT_FORMAT must be "ndjson" or "parquet", got "${format}"`);
  const gzipLevel = readIntegerEnv(env, 'GZIP_LEVEL', 6, 1, 9, problems);
  const prefixes = { events: optional(env.EVENT_PREFIX) ?? DEFAULT_EVENT_PREFIX, errors: optional(env.ERROR_PREFIX) ?? DEFAULT_ERROR_PREFIX };
  const eventPrefix = prefix('EVENT_PREFIX', prefixes.events, 'events', problems);
  const errorPrefix = prefix('ERROR_PREFIX', prefixes.errors, 'errors', problems);
  // One folder for both: a table over the events (Athena, the query views) read the bad rows as events.
  if (prefixes.events === prefixes.errors) problems.push(`EVENT_PREFIX and ERROR_PREFIX are both "${prefixes.events}": bad rows would land among the events; give them their own folder, e.g. ERROR_PREFIX=bad_rows/`);
  else nestedPrefixProblem(prefixes, problems);
  const pii = piiPolicy(env, problems);
  const bucket = optional(env.S3_BUCKET);
  if (bucket !== undefined) checkBucketName(bucket, problems);
  // With a bucket, the prefixes' own length is checked first (also without S3_PREFIX); when even no S3_PREFIX fits,
  // that problem is theirs, and S3_PREFIX is not blamed for it.
  const prefixesFit = bucket === undefined || prefixesFitS3Keys(prefixes, problems);
  const s3Prefix = readS3Prefix(optional(env.S3_PREFIX), problems, prefixesFit ? longestKeyBelowPrefix(prefixes.events, prefixes.errors) : 0);
  const s3Endpoint = optional(env.S3_ENDPOINT);
  // A path is kept by the S3 client (Supabase Storage serves S3 below /storage/v1/s3).
  if (s3Endpoint !== undefined) checkEndpointUrl('S3_ENDPOINT', s3Endpoint, problems, { path: true });
  // Set without a bucket they would be ignored and the lake written to the folder: say so instead.
  const orphans = ['S3_PREFIX', 'S3_ENDPOINT'].filter((name) => optional(env[name]) !== undefined);
  if (bucket === undefined && orphans.length > 0) problems.push(setWithout(orphans, ' and ', 'S3_BUCKET', 'the lake on S3'));
  const url = optional(env.DATABASE_URL);
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) problems.push('DATABASE_URL must be a postgres:// URL');
  if (url === undefined) {
    // Without a database they would do nothing, as S3_PREFIX without a bucket.
    const unused = PG_VARIABLES.filter((name) => optional(env[name]) !== undefined);
    if (unused.length > 0) problems.push(setWithout(unused, ', ', 'DATABASE_URL', 'rows to PostgreSQL too'));
  } else {
    urlSchemaProblem(url, optional(env.PG_SCHEMA) ?? 'public', problems);
  }
  const batchSize = readIntegerEnv(env, 'PG_BATCH_SIZE', 500, 1, 1000, problems);
  const connectTimeoutMs = readIntegerEnv(env, 'PG_CONNECT_TIMEOUT_MS', PG_DEFAULTS.connectTimeoutMs, 100, 600_000, problems);
  const statementTimeoutMs = readIntegerEnv(env, 'PG_STATEMENT_TIMEOUT_MS', PG_DEFAULTS.statementTimeoutMs, 100, 3_600_000, problems);
  const schema = pgName('PG_SCHEMA', optional(env.PG_SCHEMA) ?? 'public', problems);
  const table = pgName('PG_TABLE', optional(env.PG_TABLE) ?? 'events', problems);
  const applicationName = optional(env.PG_APPLICATION_NAME) ?? PG_DEFAULTS.applicationName;
  // PostgreSQL cuts application_name at 63 bytes and shows it in pg_stat_activity: plain ASCII only.
  if (!/^[\x20-\x7e]{1,63}$/.test(applicationName)) problems.push(`PG_APPLICATION_NAME must be 1 to 63 printable ASCII characters, got "${applicationName}"`);
  return {
    format: format === 'parquet' ? 'parquet' : 'ndjson',
    gzipLevel,
    eventPrefix,
    errorPrefix,
    prefixes,
    pii,
    // Like KINESIS_ENDPOINT: dummy keys for an emulator, the caller's own keys (MinIO, R2, …) when set.
    s3: bucket ? { bucket, prefix: s3Prefix, endpoint: s3Endpoint, dummyCredentials: s3Endpoint !== undefined && optional(env.AWS_ACCESS_KEY_ID) === undefined } : undefined,
    postgres: url
      ? { url, schema, table, batchSize, connectTimeoutMs, statementTimeoutMs, applicationName }
      : undefined,
  };
}

/** Variables set without the one that gives them effect (`needed`, which does `what`): the problem that names them. */
function setWithout(names: readonly string[], separator: string, needed: string, what: string): string {
  const many = names.length > 1;
  return `${names.join(separator)} set without ${needed}, where ${many ? 'they have' : 'it has'} no effect: set ${needed} (${what}) or unset ${many ? 'them' : 'it'}`;
}

const PG_VARIABLES = ['PG_SCHEMA', 'PG_TABLE', 'PG_BATCH_SIZE', 'PG_CONNECT_TIMEOUT_MS', 'PG_STATEMENT_TIMEOUT_MS', 'PG_APPLICATION_NAME'];

/**
 * A schema named in the URL the way other tools read it (Prisma's `?schema=`, JDBC's `?currentSchema=`,
 * `?search_path=`) or a `search_path` in `options`. node-postgres ignores the first three and passes `options` to the
 * server, but the sink names its table with PG_SCHEMA in every statement, so either way the rows went
 * to "public" while the operator looked in the schema they named. Only the first entry of a list is
 * the schema meant (`analytics,public`; `"$user",public` is PostgreSQL's default, naming none).
 */
function urlSchemaProblem(url: string, schema: string, problems: string[]): void {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return;
  }
  for (const [key, value] of params) {
    const fromOptions = key === 'options';
    const list = /^(schema|currentschema|search_path)$/i.test(key) ? value : fromOptions ? /search_path\s*=\s*(\S+)/.exec(value)?.[1] : undefined;
    // Prisma's ?schema= is one name used as written; the search_path forms are read by PostgreSQL's rules.
    const named = list === undefined ? undefined : /^schema$/i.test(key) ? list.trim() || undefined : firstSchema(list);
    if (named === undefined || named === '$user' || named === schema) continue;
    const how = fromOptions
      ? `sets search_path=${list} (options=…), which node-postgres passes to the server, but the sink names its table with PG_SCHEMA in every statement`
      : `names the schema "${named}" (${key}=…), which node-postgres does not read`;
    // PG_SCHEMA takes a plain lower-case name only: never advise one it refuses.
    const advice = isPlainPgName(named)
      ? `set PG_SCHEMA=${named}, or take it out of DATABASE_URL`
      : `"${named}" is not a name PG_SCHEMA takes (a-z, 0-9, _): use a schema with such a name, or take it out of DATABASE_URL`;
    problems.push(`DATABASE_URL ${how}: rows go to PG_SCHEMA ("${schema}"); ${advice}`);
  }
}

/** The first schema of a list, as PostgreSQL reads a name: `"Name"` as written, unquoted lower-cased. */
function firstSchema(list: string): string | undefined {
  const first = list.split(',')[0]?.trim() ?? '';
  if (first === '') return undefined;
  const quoted = /^"(.*)"$/.exec(first);
  return quoted ? quoted[1]!.replace(/""/g, '"') : first.toLowerCase();
}

/** The literal folders of a prefix expression, before its first `!{` (`events/` of the default). */
const literalFolders = (expression: string): string => {
  const literal = expression.split('!{')[0] ?? '';
  return literal.slice(0, literal.lastIndexOf('/') + 1);
};

/**
 * One prefix's fixed folders inside the other's (`ERROR_PREFIX=events/bad_rows/` with the default
 * EVENT_PREFIX, whose rows go under `events/`): a table or crawler over the outer folder reads the
 * inner one's files too, bad rows as events or events as bad rows.
 */
function nestedPrefixProblem(prefixes: { events: string; errors: string }, problems: string[]): void {
  const events = literalFolders(prefixes.events);
  const errors = literalFolders(prefixes.errors);
  if (!events.startsWith(errors) && !errors.startsWith(events)) return;
  const folder = (name: string, f: string) => `${name}'s ${f === '' ? 'root (no fixed folder)' : `folder "${f}"`}`;
  const [inner, outer] = errors.startsWith(events) ? [folder('ERROR_PREFIX', errors), folder('EVENT_PREFIX', events)] : [folder('EVENT_PREFIX', events), folder('ERROR_PREFIX', errors)];
  problems.push(
    `EVENT_PREFIX "${prefixes.events}" and ERROR_PREFIX "${prefixes.errors}" overlap: ${inner} is inside ${outer} (the folders before the first !{), so a table over one reads the other's files; give them folders side by side, e.g. ERROR_PREFIX=bad_rows/`,
  );
}

function prefix(name: string, expression: string, kind: 'events' | 'errors', problems: string[]): Prefix {
  try {
    return compilePrefix(expression, kind);
  } catch (error) {
    if (!(error instanceof PrefixExpressionError)) throw error;
    problems.push(`${name}: ${error.message}`);
    return () => '';
  }
}

/** The sink refuses other names at start-up; checked here too, so every problem is reported at once. */
function pgName(variable: string, name: string, problems: string[]): string {
  try {
    checkTable({ schema: name, table: name });
  } catch (error) {
    if (!(error instanceof PostgresConfigError)) throw error;
    problems.push(`${variable}: ${error.message} (a-z, 0-9, _, not starting with a digit, at most 63 characters)`);
  }
  return name;
}

function piiPolicy(env: NodeJS.ProcessEnv, problems: string[]): PiiPolicy {
  const list = (value: string | undefined): string[] => (optional(value) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const salt = optional(env.PII_SALT);
  const policy: PiiPolicy = { hash: list(env.PII_HASH_FIELDS), drop: list(env.PII_DROP_FIELDS), ...(salt ? { salt } : {}) };
  try {
    return checkPiiPolicy(policy);
  } catch (error) {
    if (!(error instanceof PiiPolicyError)) throw error;
    problems.push(`PII_HASH_FIELDS / PII_DROP_FIELDS / PII_SALT: ${error.message}`);
    return { hash: [], drop: [] };
  }
}

