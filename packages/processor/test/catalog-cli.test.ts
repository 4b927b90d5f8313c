import { afterAll, describe, expect, it } from 'vitest';
import { runEntry } from './fixtures/run-node';
import { catalogArgs, UsageError } from '../src/catalog/args';
import { readEnv } from '../src/config';
import { DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('catalog CLI', () => {
  it('prints Athena DDL for events and bad_rows', async () => {
    const run = runEntry('src/catalog-cli.ts', ['--location', 's3://my-lake/prod', '--database', 'eventline', '--first-date', '2026-11-01'], {});
    expect(await run.exited).toBe(0);
    const out = run.stdout();
    expect(out.match(/^CREATE EXTERNAL TABLE/gm)).toHaveLength(2);
    expect(out).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `eventline`.`events`');
    expect(out).toContain("'projection.event_date.range'='2026-11-01,NOW'");
    expect(out).toContain("LOCATION 's3://my-lake/prod/bad_rows/'");
  });

  it('refuses a --first-date that is no calendar day (it went into the projection\'s range as given)', () => {
    for (const bad of ['2026-13-45', '2026-02-30', '26-1-1']) {
      expect(() => catalogArgs(['--location', 's3://my-lake', '--first-date', bad])).toThrow(new UsageError(`--first-date must be a date YYYY-MM-DD, got "${bad}"`));
    }
    expect(catalogArgs(['--location', 's3://my-lake', '--first-date', '2024-02-29']).options.firstDate).toBe('2024-02-29');
  });

  it("describes NDJSON.gz events unless told otherwise, as the processor writes them by default (it described Parquet: an Athena table over the default lake read nothing)", async () => {
    expect(readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1' }).delivery.format).toBe('ndjson');
    expect(catalogArgs(['--location', 's3://my-lake']).options.format).toBe('ndjson');
    const run = runEntry('src/catalog-cli.ts', ['--location', 's3://my-lake'], {});
    expect(await run.exited).toBe(0);
    const [events = ''] = run.stdout().split('\n\n');
    expect(events).toContain('org.openx.data.jsonserde.JsonSerDe');
    expect(events).not.toContain('PARQUET');
    expect(catalogArgs(['--location', 's3://my-lake', '--format', 'parquet']).options.format).toBe('parquet');
  });

  it('refuses a prefix other than the default layout it describes, and warns when the environment sets one (an Athena table from it found nothing)', async () => {
    const custom = 'custom/!{partitionKeyFromQuery:event}/!{timestamp:yyyy}/';
    expect(() => catalogArgs(['--location', 's3://my-lake', '--event-prefix', custom])).toThrow(
      new UsageError(
        `--event-prefix "${custom}": the catalog describes only the default layout (EVENT_PREFIX ${DEFAULT_EVENT_PREFIX}); ` +
          'an Athena table from it would find nothing under another prefix. Write that table\'s LOCATION and storage.location.template by hand',
      ),
    );
    expect(() => catalogArgs(['--location', 's3://my-lake', '--error-prefix', 'errors/'])).toThrow(/--error-prefix "errors\/": the catalog describes only the default layout/);
    const defaults = ['--location', 's3://my-lake', '--event-prefix', DEFAULT_EVENT_PREFIX, '--error-prefix', DEFAULT_ERROR_PREFIX];
    expect(catalogArgs(defaults, { EVENT_PREFIX: custom }).warnings).toEqual([]);
    expect(catalogArgs(['--location', 's3://my-lake'], { EVENT_PREFIX: DEFAULT_EVENT_PREFIX }).warnings).toEqual([]);

    const refused = runEntry('src/catalog-cli.ts', ['--location', 's3://my-lake', '--event-prefix', custom], {});
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toContain('the catalog describes only the default layout');
    const warned = runEntry('src/catalog-cli.ts', ['--location', 's3://my-lake'], { EVENT_PREFIX: custom });
    expect(await warned.exited).toBe(0);
    expect(warned.stderr()).toBe(`warning: EVENT_PREFIX is "${custom}", but these tables describe the default layout (${DEFAULT_EVENT_PREFIX}): over that lake they find nothing\n`);
    expect(warned.stdout()).toContain('CREATE EXTERNAL TABLE');
  });

  it('prints Glue table inputs as JSON with --glue', async () => {
    const run = runEntry('src/catalog-cli.ts', ['--glue', '--location', 's3://my-lake', '--format', 'ndjson', '--app-ids', 'shop,blog'], {});
    expect(await run.exited).toBe(0);
    const tables = JSON.parse(run.stdout()) as { Name: string; Parameters: Record<string, string> }[];
    expect(tables.map((t) => t.Name)).toEqual(['events', 'bad_rows']);
    expect(tables[0]?.Parameters).toMatchObject({ classification: 'json', 'projection.app_id.values': 'shop,blog' });
  });

  it("adds Firehose's processing-failed table with --firehose", async () => {
    const run = runEntry('src/catalog-cli.ts', ['--glue', '--firehose', '--location', 's3://my-lake'], {});
    expect(await run.exited).toBe(0);
    const tables = JSON.parse(run.stdout()) as { Name: string; StorageDescriptor: { Location: string } }[];
    expect(tables.map((t) => t.Name)).toEqual(['events', 'bad_rows', 'firehose_processing_failed']);
    expect(tables[2]?.StorageDescriptor.Location).toBe('s3://my-lake/firehose_errors/processing-failed/');
  });

  it('refuses --app-ids values no event can have (" blog" became an enum value no folder has: nothing found for that app)', async () => {
    expect(() => catalogArgs(['--location', 's3://my-lake', '--app-ids', 'shop, blog'])).toThrow(
      new UsageError('--app-ids: " blog" is not an app id (1–128 of A-Z a-z 0-9 _ -, comma-separated without spaces)'),
    );
    expect(catalogArgs(['--location', 's3://my-lake', '--app-ids', 'shop,blog_2']).options.appIds).toEqual(['shop', 'blog_2']);
    const run = runEntry('src/catalog-cli.ts', ['--location', 's3://my-lake', '--app-ids', 'shop.eu'], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--app-ids: "shop.eu" is not an app id');
  });

  it('says a --location whose bucket breaks S3\'s naming rule is not a valid S3 location (it said the flag was required)', async () => {
    const rule = '3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an IP address';
    for (const location of ['s3://b/lake', 's3://ab', 's3://-lake', 's3://my..lake', 's3://192.168.1.1/x', 's3://', 's3:///lake', 'http://x', 'my-lake/prod']) {
      expect(() => catalogArgs(['--location', location])).toThrow(new UsageError(`--location "${location}" is not a valid S3 location: s3://bucket[/prefix], the bucket a name by S3's rules (${rule})`));
    }
    expect(() => catalogArgs([])).toThrow(new UsageError('--location s3://bucket[/prefix] is required'));
    for (const location of ['s3://abc', 's3://my-lake/prod', 's3://my.lake.eu/'] as const) expect(catalogArgs(['--location', location]).warnings).toEqual([]);
    const run = runEntry('src/catalog-cli.ts', ['--location', 's3://b/lake'], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--location "s3://b/lake" is not a valid S3 location');
  });

  it('accepts a legacy us-east-1 bucket name (upper case, "_"), as S3_BUCKET does, with a warning', async () => {
    const { options, warnings } = catalogArgs(['--location', 's3://My_Legacy_Bucket/lake']);
    expect(options.location).toBe('s3://My_Legacy_Bucket/lake');
    expect(warnings).toEqual([
      'warning: "My_Legacy_Bucket" is a legacy us-east-1 bucket name (upper-case letters or "_"): accepted (S3_BUCKET takes it too) but not tried with Athena, whose guidance on table locations says not to use underscores; check that a query finds the rows',
    ]);
    const run = runEntry('src/catalog-cli.ts', ['--location', 's3://My_Legacy_Bucket/lake'], {});
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toContain('is a legacy us-east-1 bucket name');
    expect(run.stdout()).toContain("LOCATION 's3://My_Legacy_Bucket/lake/events/'");
  });

  it('rejects bad flags with usage, exit 2', async () => {
    expect(() => catalogArgs(['--location', 'http://x'])).toThrow(UsageError);
    expect(() => catalogArgs(['--location', 's3://my-lake', '--format', 'orc'])).toThrow(/--format/);
    const run = runEntry('src/catalog-cli.ts', [], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('usage:');
  });
});
