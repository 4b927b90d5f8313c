import { DEFAULT_LAKE_FORMAT, FIREHOSE_ERROR_PREFIX, isAppId, type CatalogOptions } from '@eventline/schemas';
import { parseArgs } from 'node:util';
import { BUCKET_NAME_RULE, bucketNameKind } from '../config-s3-bucket';
import { DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX } from '../delivery/prefix';

export const USAGE = `usage: eventline-catalog --location s3://bucket/prefix [--format ndjson|parquet] [--database name]
                         [--first-date YYYY-MM-DD] [--app-ids a,b] [--glue] [--firehose]
                         [--event-prefix EXPR] [--error-prefix EXPR]
Prints the Athena CREATE EXTERNAL TABLE statements (with partition projection) for the lake's
events and bad_rows tables; with --glue, the Glue CreateTable TableInput JSON instead.
They describe the default layout only (EVENT_PREFIX and ERROR_PREFIX unset): another prefix given
with --event-prefix / --error-prefix is refused.
--format is the events' file format: ndjson by default, as the processor's OUTPUT_FORMAT.
--firehose adds firehose_processing_failed: the records the Firehose transformation answered
ProcessingFailed, as Firehose writes them under the error prefix ${FIREHOSE_ERROR_PREFIX}.
In this repository: npm run catalog -- <options>.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const PREFIXES = [
  { flag: 'event-prefix', env: 'EVENT_PREFIX', layout: DEFAULT_EVENT_PREFIX },
  { flag: 'error-prefix', env: 'ERROR_PREFIX', layout: DEFAULT_ERROR_PREFIX },
] as const;

/**
 * Parse the flags into catalog options (exported for tests). The tables' locations and partition
 * projection describe the default Hive layout only: a lake written with another EVENT_PREFIX or
 * ERROR_PREFIX has its files elsewhere, and Athena would find nothing. Such a prefix given as a flag
 * is refused; found in `env` (the processor's own variables), it is a warning.
 */
export function catalogArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): { options: CatalogOptions; glue: boolean; warnings: string[] } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      location: { type: 'string' },
      // The processor's OUTPUT_FORMAT default: one value in @eventline/schemas.
      format: { type: 'string', default: DEFAULT_LAKE_FORMAT },
      database: { type: 'string' },
      'first-date': { type: 'string' },
      'app-ids': { type: 'string' },
      glue: { type: 'boolean', default: false },
      firehose: { type: 'boolean', default: false },
      'event-prefix': { type: 'string' },
      'error-prefix': { type: 'string' },
    },
  });
  const warnings: string[] = [];
  for (const { flag, env: name, layout } of PREFIXES) {
    const given = values[flag];
    const set = env[name]?.trim();
    if (given !== undefined && given !== layout) {
      throw new UsageError(
        `--${flag} "${given}": the catalog describes only the default layout (${name} ${layout}); ` +
          `an Athena table from it would find nothing under another prefix. Write that table's LOCATION and storage.location.template by hand`,
      );
    }
    if (given === undefined && set && set !== layout) {
      warnings.push(`warning: ${name} is "${set}", but these tables describe the default layout (${layout}): over that lake they find nothing`);
    }
  }
  if (!values.location) throw new UsageError('--location s3://bucket[/prefix] is required');
  const legacy = checkLocation(values.location);
  if (legacy) warnings.push(legacy);
  if (values.format !== 'parquet' && values.format !== 'ndjson') throw new UsageError('--format must be parquet or ndjson');
  const firstDate = values['first-date'];
  // A real calendar day: the regex alone let 2026-13-45 through into the projection's range.
  if (firstDate !== undefined && !isCalendarDay(firstDate)) {
    throw new UsageError(`--first-date must be a date YYYY-MM-DD, got "${firstDate}"`);
  }
  const appIds = values['app-ids']?.split(',').filter(Boolean);
  // Refused, not trimmed: an enum value no folder has (" blog") made the table find nothing for that app.
  const badId = appIds?.find((id) => !isAppId(id));
  if (badId !== undefined) throw new UsageError(`--app-ids: ${JSON.stringify(badId)} is not an app id (1–128 of A-Z a-z 0-9 _ -, comma-separated without spaces)`);
  return {
    options: {
      location: values.location,
      format: values.format,
      ...(values.database ? { database: values.database } : {}),
      ...(firstDate ? { firstDate } : {}),
      ...(appIds && appIds.length > 0 ? { appIds } : {}),
      ...(values.firehose ? { firehose: true } : {}),
    },
    glue: values.glue,
    warnings,
  };
}

/**
 * `s3://bucket[/prefix]` with a bucket name by S3's rule (the one S3_BUCKET takes): a bad value was
 * reported as a missing flag. A legacy us-east-1 name (upper case, `_`) is accepted, as S3_BUCKET
 * accepts it, with a warning (returned): Athena's guidance on table locations says not to use underscores.
 */
function checkLocation(location: string): string | undefined {
  const bucket = /^s3:\/\/([^/]*)(\/.*)?$/.exec(location)?.[1];
  const kind = bucket === undefined ? undefined : bucketNameKind(bucket);
  if (kind === undefined) {
    throw new UsageError(`--location "${location}" is not a valid S3 location: s3://bucket[/prefix], the bucket a name by S3's rules (${BUCKET_NAME_RULE})`);
  }
  if (kind === 'legacy') {
    return `warning: "${bucket}" is a legacy us-east-1 bucket name (upper-case letters or "_"): accepted (S3_BUCKET takes it too) but not tried with Athena, whose guidance on table locations says not to use underscores; check that a query finds the rows`;
  }
  return undefined;
}

/** YYYY-MM-DD naming a day that exists (2026-02-30 does not: Date would roll it over to March). */
function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text);
}
