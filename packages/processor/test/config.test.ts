import { fileURLToPath } from 'node:url';
import { undocumentedEnvVars } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { ConfigError, readEnv } from '../src/config';
import { readDynamoDedupeEnv } from '../src/config-dedupe';

describe('readEnv', () => {
  it('applies defaults for a local emulator', () => {
    expect(readEnv({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events' }, '/repo')).toMatchObject({
      endpoint: 'http://127.0.0.1:4567',
      region: 'us-east-1',
      streamName: 'events',
      lakeDir: '/repo/.data/lake',
      checkpointFile: '/repo/.data/checkpoints/events.json',
      maxAgeMs: 60_000,
      maxBytes: 5 * 1024 * 1024,
      maxPartitions: 500,
      pollIntervalMs: 200,
      dummyCredentials: true,
      badRowsStream: undefined,
      dedupe: { dir: '/repo/.data/checkpoints/events.seen', windowMs: 7 * 24 * 3600_000, maxIds: 10_000_000 },
      delivery: { format: 'ndjson', s3: undefined, postgres: undefined, pii: { hash: [], drop: [] } },
    });
  });

  it('reads delivery settings: format, prefixes, PII, S3, PostgreSQL, the bad-rows stream', () => {
    const env = readEnv(
      {
        KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
        STREAM_NAME: 'events',
        CHECKPOINT_FILE: 'cp/events.json',
        BAD_ROWS_STREAM_NAME: 'events-bad',
        OUTPUT_FORMAT: 'parquet',
        EVENT_PREFIX: 'raw/!{partitionKeyFromQuery:app_id}/!{timestamp:yyyy/MM/dd}/',
        PII_HASH_FIELDS: 'user_id, traits.email',
        PII_DROP_FIELDS: 'context.user_agent',
        PII_SALT: 'pepper',
        S3_BUCKET: 'lake',
        S3_PREFIX: 'prod/',
        S3_ENDPOINT: 'http://127.0.0.1:4568',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        PG_SCHEMA: 'analytics',
        PG_STATEMENT_TIMEOUT_MS: '5000',
      },
      '/repo',
    );
    expect(env.badRowsStream).toEqual({ name: 'events-bad', checkpointFile: '/repo/cp/events-bad.json' });
    expect(env.delivery).toMatchObject({
      format: 'parquet',
      pii: { hash: ['user_id', 'traits.email'], drop: ['context.user_agent'], salt: 'pepper' },
      s3: { bucket: 'lake', prefix: 'prod/', endpoint: 'http://127.0.0.1:4568', dummyCredentials: true },
      postgres: { url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'analytics', table: 'events', batchSize: 500, connectTimeoutMs: 10_000, statementTimeoutMs: 5000, applicationName: 'eventline-processor' },
    });
    expect(env.delivery.eventPrefix({ timestamp: new Date('2026-11-25T09:00:00Z'), partitionKeys: { app_id: 'shop' } })).toBe('raw/shop/2026/11/25/');
  });

  it('reports bad delivery settings together', () => {
    expect(() =>
      readEnv({ STREAM_NAME: 'e', AWS_REGION: 'eu-west-1', OUTPUT_FORMAT: 'avro', EVENT_PREFIX: 'a/!{firehose:random-string}/', PII_HASH_FIELDS: 'user_id', DATABASE_URL: 'mysql://x', PG_CONNECT_TIMEOUT_MS: '0' }),
    ).toThrow(/OUTPUT_FORMAT[\s\S]*EVENT_PREFIX[\s\S]*salt is required[\s\S]*DATABASE_URL[\s\S]*PG_CONNECT_TIMEOUT_MS must be an integer from 100 to 600000, got "0"/);
  });

  it('uses the default credential chain and requires a region for real AWS', () => {
    expect(() => readEnv({ STREAM_NAME: 'events' })).toThrow(/AWS_REGION is required/);
    const env = readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', BUFFER_MAX_MS: '1000', BUFFER_MAX_BYTES: '1024', BUFFER_MAX_PARTITIONS: '50' }, '/x');
    expect(env).toMatchObject({ endpoint: undefined, region: 'eu-west-1', dummyCredentials: false, maxAgeMs: 1000, maxBytes: 1024, maxPartitions: 50 });
  });

  it('reads the seen index settings and checks them', () => {
    const base = { KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events' };
    expect(readEnv({ ...base, DEDUPE_DIR: 'seen', DEDUPE_WINDOW_HOURS: '24', DEDUPE_MAX_IDS: '5000' }, '/repo').dedupe).toEqual({
      dir: '/repo/seen',
      windowMs: 24 * 3600_000,
      maxIds: 5000,
    });
    expect(() => readEnv({ ...base, DEDUPE_WINDOW_HOURS: '0', DEDUPE_MAX_IDS: 'many' })).toThrow(
      /DEDUPE_WINDOW_HOURS must be an integer from 1 to 8760[\s\S]*DEDUPE_MAX_IDS must be an integer/,
    );
  });

  it('reads the metrics endpoint: off by default, loopback unless told', () => {
    const base = { KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events' };
    expect(readEnv(base).metrics).toBeUndefined();
    expect(readEnv({ ...base, METRICS_PORT: '0' }).metrics).toEqual({ host: '127.0.0.1', port: 0 });
    expect(readEnv({ ...base, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(readEnv({ ...base, METRICS_PORT: '9464', METRICS_HOST: '::' }).metrics).toEqual({ host: '::', port: 9464 });
    expect(readEnv({ ...base, METRICS_PORT: '9464', METRICS_HOST: 'metrics.internal' }).metrics).toEqual({ host: 'metrics.internal', port: 9464 });
    // The names the ingest's HOST takes too: a Docker Compose service name, a trailing dot.
    expect(readEnv({ ...base, METRICS_PORT: '9464', METRICS_HOST: 'processor_1' }).metrics).toEqual({ host: 'processor_1', port: 9464 });
    expect(readEnv({ ...base, METRICS_PORT: '9464', METRICS_HOST: 'metrics.local.' }).metrics).toEqual({ host: 'metrics.local.', port: 9464 });
    for (const port of ['65536', '-1', '80.5', 'http', '0x50']) {
      expect(() => readEnv({ ...base, METRICS_PORT: port })).toThrow(`METRICS_PORT must be an integer from 0 (a free port) to 65535, got "${port}"`);
    }
    expect(() => readEnv({ ...base, METRICS_PORT: '1', METRICS_HOST: 'http://x' })).toThrow('METRICS_HOST must be an IP address or host name, got "http://x"');
  });

  it('refuses METRICS_HOST without METRICS_PORT', () => {
    expect(() => readEnv({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events', METRICS_HOST: '0.0.0.0' })).toThrow(
      'METRICS_HOST is set without METRICS_PORT: set METRICS_PORT too (0 = a free port), or unset METRICS_HOST',
    );
  });

  it('refuses a bad-rows stream named like the events stream (one checkpoint file, one set of metrics)', () => {
    expect(() => readEnv({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events', BAD_ROWS_STREAM_NAME: 'events' })).toThrow(
      'BAD_ROWS_STREAM_NAME must differ from STREAM_NAME (both are "events")',
    );
  });

  it('refuses one checkpoint file for both streams', () => {
    expect(() =>
      readEnv({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events', BAD_ROWS_STREAM_NAME: 'events-bad', CHECKPOINT_FILE: '/tmp/cp.json', BAD_ROWS_CHECKPOINT_FILE: '/tmp/cp.json' }),
    ).toThrow('BAD_ROWS_CHECKPOINT_FILE and CHECKPOINT_FILE must be different files (both are "/tmp/cp.json")');
  });

  it('refuses PG_SCHEMA / PG_TABLE that are not plain lower-case names, with the other problems', () => {
    expect(() =>
      readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', DATABASE_URL: 'postgres://x', PG_SCHEMA: 'Analytics', PG_TABLE: 'events; drop', GZIP_LEVEL: '0' }),
    ).toThrow(/GZIP_LEVEL[\s\S]*PG_SCHEMA: "Analytics" is not a plain lower-case PostgreSQL name[\s\S]*PG_TABLE: "events; drop"/);
    expect(readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', DATABASE_URL: 'postgres://x', PG_SCHEMA: 'analytics_2', PG_TABLE: '_events' }).delivery.postgres).toMatchObject({
      schema: 'analytics_2',
      table: '_events',
    });
  });

  it('refuses S3_PREFIX / S3_ENDPOINT without S3_BUCKET (they were ignored and the lake went to the folder)', () => {
    expect(() => readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', S3_PREFIX: 'lake/', S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(
      'S3_PREFIX and S3_ENDPOINT set without S3_BUCKET, where they have no effect: set S3_BUCKET (the lake on S3) or unset them',
    );
    expect(readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', S3_BUCKET: 'bkt', S3_PREFIX: 'lake/' }).delivery.s3).toMatchObject({ bucket: 'bkt', prefix: 'lake/' });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      readEnv({ KINESIS_ENDPOINT: 'http://x', STREAM_NAME: 'bad name', BUFFER_MAX_BYTES: '-1', BUFFER_MAX_PARTITIONS: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'STREAM_NAME must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "bad name"',
      'BUFFER_MAX_BYTES must be an integer from 1 to 134217728, got "-1"',
      'BUFFER_MAX_PARTITIONS must be an integer from 1 to 100000, got "0"',
    ]);
  });
});

describe('stream and bucket names (a value that passed and then failed every call)', () => {
  const base = { STREAM_NAME: 'events', AWS_REGION: 'eu-west-1' };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      readEnv(env);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems;
    }
  };

  it('refuses a stream ARN for STREAM_NAME and BAD_ROWS_STREAM_NAME, naming the stream to use', () => {
    expect(problemsOf({ ...base, STREAM_NAME: 'arn:aws:kinesis:us-east-1:000000000000:stream/events', BAD_ROWS_STREAM_NAME: 'arn:aws:kinesis:us-east-1:000000000000:stream/events-bad' })).toEqual([
      'STREAM_NAME must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "arn:aws:kinesis:us-east-1:000000000000:stream/events": use the stream name "events", not its ARN',
      'BAD_ROWS_STREAM_NAME must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "arn:aws:kinesis:us-east-1:000000000000:stream/events-bad": use the stream name "events-bad", not its ARN',
    ]);
  });

  it('refuses an s3:// URI, an ARN, a URL or a path for S3_BUCKET, saying what to set instead', () => {
    const bucketProblem = (value: string): string[] => problemsOf({ ...base, S3_BUCKET: value });
    expect(bucketProblem('s3://lake')).toEqual(['S3_BUCKET must be a bucket name, got "s3://lake": use the bucket name "lake", not a URI']);
    expect(bucketProblem('s3://lake/events/')).toEqual(['S3_BUCKET must be a bucket name, got "s3://lake/events/": use the bucket name "lake", not a URI, and S3_PREFIX for the path "events/"']);
    expect(bucketProblem('arn:aws:s3:::lake')).toEqual(['S3_BUCKET must be a bucket name, got "arn:aws:s3:::lake": use the bucket name "lake", not its ARN']);
    expect(bucketProblem('https://lake.s3.eu-west-1.amazonaws.com')).toEqual(['S3_BUCKET must be a bucket name, got "https://lake.s3.eu-west-1.amazonaws.com": use the bucket name, and S3_ENDPOINT for an endpoint URL']);
    expect(bucketProblem('lake/events')).toEqual(['S3_BUCKET must be a bucket name, got "lake/events": use the bucket name "lake", and S3_PREFIX for the path "events"']);
  });

  it("checks S3's naming rules, accepting the legacy us-east-1 names", () => {
    const rule = 'S3_BUCKET must be an S3 bucket name (3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an IP address)';
    for (const bad of ['ab', 'my..lake', '192.168.5.4', '-lake', 'lake bucket']) expect(problemsOf({ ...base, S3_BUCKET: bad })).toEqual([`${rule}, got "${bad}"`]);
    for (const good of ['lake', 'my-company.events-2026', 'a'.repeat(63), 'Legacy_Bucket']) expect(problemsOf({ ...base, S3_BUCKET: good })).toEqual([]);
  });
});

describe('readDynamoDedupeEnv (Lambda ESM)', () => {
  it('is off without DEDUPE_TABLE', () => {
    const problems: string[] = [];
    expect(readDynamoDedupeEnv({ DEDUPE_WINDOW_HOURS: '24' }, problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('reads the table, the window and an emulator endpoint', () => {
    const problems: string[] = [];
    expect(readDynamoDedupeEnv({ DEDUPE_TABLE: 'eventline-seen', DEDUPE_WINDOW_HOURS: '48', DYNAMODB_ENDPOINT: 'http://127.0.0.1:4569' }, problems)).toEqual({
      table: 'eventline-seen',
      windowMs: 48 * 3600_000,
      endpoint: 'http://127.0.0.1:4569',
    });
    expect(readDynamoDedupeEnv({ DEDUPE_TABLE: 'eventline-seen' }, problems)).toEqual({ table: 'eventline-seen', windowMs: 7 * 24 * 3600_000, endpoint: undefined });
    expect(problems).toEqual([]);
  });

  it('refuses a table ARN (batch answers are keyed by table; untested for ARNs) and an endpoint without a table', () => {
    const problems: string[] = [];
    readDynamoDedupeEnv({ DEDUPE_TABLE: 'arn:aws:dynamodb:eu-west-1:123456789012:table/eventline-seen' }, problems);
    readDynamoDedupeEnv({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:4569' }, problems);
    expect(problems).toEqual([
      'DEDUPE_TABLE must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -), got "arn:aws:dynamodb:eu-west-1:123456789012:table/eventline-seen"',
      'DYNAMODB_ENDPOINT is set but DEDUPE_TABLE is not: set the table, or drop the endpoint',
    ]);
  });

  it('reports every invalid value', () => {
    const problems: string[] = [];
    readDynamoDedupeEnv({ DEDUPE_TABLE: 'no spaces!', DEDUPE_WINDOW_HOURS: '0', DYNAMODB_ENDPOINT: 'localhost:4569' }, problems);
    expect(problems).toEqual([
      'DEDUPE_WINDOW_HOURS must be an integer from 1 to 8760, got "0"',
      'DYNAMODB_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4567, got "localhost:4569"',
      'DEDUPE_TABLE must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -), got "no spaces!"',
    ]);
  });
});

describe('README', () => {
  it('documents every environment variable the source and the bench read', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    expect(undocumentedEnvVars(`${root}src`, `${root}README.md`)).toEqual([]);
    // The benchmark's knobs too (`npm run bench` reads them).
    expect(undocumentedEnvVars(`${root}bench`, `${root}README.md`)).toEqual([]);
  });
});
