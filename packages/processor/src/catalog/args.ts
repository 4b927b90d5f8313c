import type { CatalogOptions } from '@eventline/schemas';
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run catalog -- --location s3://bucket/prefix [--format ndjson|parquet] [--database name]
                          [--first-date YYYY-MM-DD] [--app-ids a,b] [--glue]
Prints the Athena CREATE EXTERNAL TABLE statements (with partition projection) for the lake's
events and bad_rows tables; with --glue, the Glue CreateTable TableInput JSON instead.
--format is the events' file format: ndjson by default, as the processor's OUTPUT_FORMAT.`;

/** The events' format when --format is not given: the processor's OUTPUT_FORMAT default (config-delivery.ts). */
export const DEFAULT_CATALOG_FORMAT = 'ndjson';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parse the flags into catalog options (exported for tests). */
export function catalogArgs(argv: readonly string[]): { options: CatalogOptions; glue: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      location: { type: 'string' },
      format: { type: 'string', default: DEFAULT_CATALOG_FORMAT },
      database: { type: 'string' },
      'first-date': { type: 'string' },
      'app-ids': { type: 'string' },
      glue: { type: 'boolean', default: false },
    },
  });
  if (!values.location || !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(values.location)) throw new UsageError('--location s3://bucket[/prefix] is required');
  if (values.format !== 'parquet' && values.format !== 'ndjson') throw new UsageError('--format must be parquet or ndjson');
  const firstDate = values['first-date'];
  if (firstDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(firstDate)) throw new UsageError('--first-date must be YYYY-MM-DD');
  const appIds = values['app-ids']?.split(',').filter(Boolean);
  return {
    options: {
      location: values.location,
      format: values.format,
      ...(values.database ? { database: values.database } : {}),
      ...(firstDate ? { firstDate } : {}),
      ...(appIds && appIds.length > 0 ? { appIds } : {}),
    },
    glue: values.glue,
  };
}
