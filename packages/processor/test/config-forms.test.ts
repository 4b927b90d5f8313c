import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, readEnv } from '../src/config';
import { readDynamoDedupeEnv } from '../src/config-dedupe';
import { objectName, refusedRowsObjectName } from '../src/delivery/naming';
import { compilePrefix, DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX, maxPrefixBytes } from '../src/delivery/prefix';

/** Values as operators write them, which passed and then wrote elsewhere or failed every call: each refused at start with the form to write. */
const base = { STREAM_NAME: 'events', AWS_REGION: 'eu-west-1' };
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    readEnv(env, '/srv/app');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe('S3_PREFIX: the folder inside the bucket', () => {
  it('writes a leading "/" away and adds the trailing one, as the sink does, so the ready line names the real place', () => {
    for (const [value, prefix] of [['/data', 'data/'], ['data', 'data/'], ['lake/prod/', 'lake/prod/'], ['/', '']]) {
      expect(readEnv({ ...base, S3_BUCKET: 'lake', S3_PREFIX: value }).delivery.s3?.prefix).toBe(prefix);
    }
  });

  it('refuses a URI and empty, "." or ".." folders (each became part of every key: a folder named "s3:")', () => {
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 's3://lake/data/' })).toEqual(['S3_PREFIX must be the folder inside the bucket, got "s3://lake/data/": write "data/" (the bucket goes to S3_BUCKET)']);
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'arn:aws:s3:::lake/data' })).toEqual(['S3_PREFIX must be the folder inside the bucket, not a URL or ARN, got "arn:aws:s3:::lake/data"']);
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'https://lake.s3.amazonaws.com/data/' })).toEqual(['S3_PREFIX must be the folder inside the bucket, not a URL or ARN, got "https://lake.s3.amazonaws.com/data/"']);
    // A colon is a valid key character: only `arn:` and `<scheme>://` are refused.
    expect(readEnv({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'env:prod/' }).delivery.s3?.prefix).toBe('env:prod/');
    for (const value of ['data//', '../x/', 'a/./b', 'a//b/']) {
      expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: value })).toEqual([`S3_PREFIX "${value}" has an empty, "." or ".." folder name, which S3 keeps in every key: write the folders once each, e.g. "lake/prod/"`]);
    }
  });
});

// Accepted, a prefix with a NUL or of 1,100 characters failed every write, and the shard retried it for ever.
describe('S3_PREFIX: control characters and S3’s 1,024-byte key limit', () => {
  it('refuses a control character (NUL, line break, tab, DEL), naming it and where', () => {
    for (const [value, code, at] of [
      ['data\u0000', 'U+0000', 4],
      ['line\nbreak', 'U+000A', 4],
      ['tab\there', 'U+0009', 3],
      ['del\u007f/', 'U+007F', 3],
    ] as const) {
      expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: value })).toEqual([
        `S3_PREFIX ${JSON.stringify(value)} has a control character (${code} at position ${at}), which no S3 key should hold: remove it`,
      ]);
    }
  });

  it('refuses a prefix the longest key below it would take past 1,024 bytes (defaults: 700 bytes below, 324 left), counting UTF-8 bytes', () => {
    expect(readEnv({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'p/'.repeat(162) }).delivery.s3?.prefix).toHaveLength(324);
    const tooLong = problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'x'.repeat(1_100) });
    expect(tooLong).toHaveLength(1);
    expect(tooLong[0]).toMatch(/^S3_PREFIX "x{60}…" is 1101 bytes: the lake's keys below it take up to 700 more .* past S3's 1024-byte key limit; write at most 324 bytes$/);
    // 162 two-byte characters and their "/": 325 bytes, one over.
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'é'.repeat(162) })).toEqual([expect.stringMatching(/is 325 bytes: .*write at most 324 bytes$/)]);
  });

  it('leaves more room under shorter EVENT_PREFIX / ERROR_PREFIX: the longest object name (407) and the longer prefix count', () => {
    const short = { EVENT_PREFIX: 'events/!{timestamp:yyyy/MM/dd}/', ERROR_PREFIX: 'bad/!{timestamp:yyyy}/' }; // 18 and 9 bytes at most
    expect(readEnv({ ...base, ...short, S3_BUCKET: 'lake', S3_PREFIX: 'p'.repeat(598) }).delivery.s3?.prefix).toHaveLength(599);
    expect(problemsOf({ ...base, ...short, S3_BUCKET: 'lake', S3_PREFIX: 'p'.repeat(599) })).toEqual([expect.stringMatching(/up to 425 more .*write at most 599 bytes$/)]);
  });

  it('the bound holds for the longest key the naming code makes (Kinesis: 128-character shard ids, 129-digit sequence numbers)', () => {
    const prefix = 'p/'.repeat(162);
    const shardId = `shardId-${'0'.repeat(120)}`;
    const seq = '9'.repeat(129);
    const folders = compilePrefix(DEFAULT_EVENT_PREFIX)({ timestamp: new Date('2026-11-25T09:00:00.000Z'), partitionKeys: { app_id: 'a'.repeat(248) } });
    const errorFolders = compilePrefix(DEFAULT_ERROR_PREFIX, 'errors')({ timestamp: new Date('2026-11-25T09:00:00.000Z'), partitionKeys: {}, errorOutputType: 'e'.repeat(244) });
    const keys = [objectName(shardId, seq, seq), refusedRowsObjectName(shardId, seq, seq)].flatMap((name) => [folders + name, errorFolders + name].map((key) => prefix + key));
    expect(Math.max(...keys.map((key) => Buffer.byteLength(key)))).toBe(1_024);
  });

  // A folder holding a record's value was counted as 255 bytes, but the cap on it is 255 characters (UTF-16
  // units): a non-ASCII literal in it wrote up to 3 bytes a character, and an S3_PREFIX was accepted whose keys
  // went past 1,024 bytes (`ev/日×240=<app_id>/` counted 259, wrote 738).
  it('counts a folder mixing a non-ASCII literal and a record value in UTF-8 bytes: the bound holds for its longest value', () => {
    const eventPrefix = `ev/${'日'.repeat(100)}=!{partitionKeyFromQuery:app_id}/`; // 101 characters fixed, 154 left to app_id
    const compiled = compilePrefix(eventPrefix);
    const at = new Date('2026-11-25T09:00:00.000Z');
    const longest = compiled({ timestamp: at, partitionKeys: { app_id: 'a'.repeat(154) } });
    expect(() => compiled({ timestamp: at, partitionKeys: { app_id: 'a'.repeat(155) } })).toThrow(/folder name of 256 characters/);
    expect(maxPrefixBytes(eventPrefix)).toBe(Buffer.byteLength(longest)); // 3 + 301 + 154 + 1
    const env = { ...base, EVENT_PREFIX: eventPrefix, ERROR_PREFIX: 'bad/', S3_BUCKET: 'lake' };
    const room = 1_024 - Buffer.byteLength(longest) - 407;
    const s3Prefix = readEnv({ ...env, S3_PREFIX: 'p'.repeat(room - 1) }).delivery.s3?.prefix ?? '';
    const shardId = `shardId-${'0'.repeat(120)}`;
    const names = [objectName, refusedRowsObjectName].map((name) => name(shardId, '9'.repeat(129), '9'.repeat(129)));
    expect(Math.max(...names.map((name) => Buffer.byteLength(s3Prefix + longest + name)))).toBe(1_024);
    expect(problemsOf({ ...env, S3_PREFIX: 'p'.repeat(room) })).toEqual([expect.stringMatching(new RegExp(`is ${String(room + 1)} bytes: .*write at most ${String(room)} bytes$`))]);
  });

  // The length rule ran only with S3_PREFIX set: prefix expressions too long on their own were accepted without one.
  it('with S3_BUCKET and no S3_PREFIX, refuses an EVENT_PREFIX / ERROR_PREFIX whose keys alone pass 1,024 bytes, naming it', () => {
    const long = 'ev/a=!{partitionKeyFromQuery:app_id}/b=!{partitionKeyFromQuery:type}/c=!{partitionKeyFromQuery:event}/';
    const problem = (name: string) => new RegExp(`^${name} "ev/a=.*" writes keys of up to 1178 bytes .* past S3's 1024-byte key limit even without S3_PREFIX: make it at most 617 bytes at its longest`);
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', EVENT_PREFIX: long })).toEqual([expect.stringMatching(problem('EVENT_PREFIX'))]);
    // With S3_PREFIX too, the problem is still the expression's: no S3_PREFIX could make it fit.
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', S3_PREFIX: 'x/', EVENT_PREFIX: long })).toEqual([expect.stringMatching(problem('EVENT_PREFIX'))]);
    const longErrors = 'e/!{firehose:error-output-type}/x/'.replace('x/', `${'x'.repeat(250)}/${'y'.repeat(250)}/`);
    expect(problemsOf({ ...base, S3_BUCKET: 'lake', ERROR_PREFIX: longErrors })).toEqual([expect.stringMatching(/^ERROR_PREFIX "e\/.*" writes keys of up to 1167 bytes/)]);
    // A folder lake has no such limit here.
    expect(problemsOf({ ...base, EVENT_PREFIX: long })).toEqual([]);
  });
});

describe('local paths (LAKE_DIR, CHECKPOINT_FILE, BAD_ROWS_CHECKPOINT_FILE, DEDUPE_DIR)', () => {
  it('refuses "~", which no env file expands (the lake went to a folder named "~" in the working directory)', () => {
    expect(problemsOf({ ...base, LAKE_DIR: '~/lake', CHECKPOINT_FILE: '~/cp/events.json', BAD_ROWS_STREAM_NAME: 'events-bad', BAD_ROWS_CHECKPOINT_FILE: '~ops/bad.json', DEDUPE_DIR: '~' })).toEqual([
      `LAKE_DIR must be a local path, got "~/lake": "~" is expanded by a shell, not here: write the full path, e.g. "${homedir()}/lake"`,
      `CHECKPOINT_FILE must be a local path, got "~/cp/events.json": "~" is expanded by a shell, not here: write the full path, e.g. "${homedir()}/cp/events.json"`,
      'BAD_ROWS_CHECKPOINT_FILE must be a local path, got "~ops/bad.json": "~" is expanded by a shell, not here: write the full path',
      `DEDUPE_DIR must be a local path, got "~": "~" is expanded by a shell, not here: write the full path, e.g. "${homedir()}"`,
    ]);
  });

  it('refuses URLs (s3:// made a folder "s3:"), naming what to set', () => {
    expect(problemsOf({ ...base, LAKE_DIR: 's3://lake/events' })).toEqual(['LAKE_DIR must be a local path, got "s3://lake/events": the lake on S3 is S3_BUCKET and S3_PREFIX']);
    expect(problemsOf({ ...base, LAKE_DIR: 'file:///var/lake' })).toEqual(['LAKE_DIR must be a local path, got "file:///var/lake": write the path "/var/lake", not a file URL']);
    expect(problemsOf({ ...base, DEDUPE_DIR: 'https://x/seen' })).toEqual(['DEDUPE_DIR must be a local path, got "https://x/seen": write a path, not a URL']);
  });

  it('still resolves relative and absolute paths, and names with "~" or ":" inside', () => {
    const env = readEnv({ ...base, LAKE_DIR: 'lake~1', CHECKPOINT_FILE: '/var/cp/a:b.json' }, '/srv/app');
    expect([env.lakeDir, env.checkpointFile]).toEqual(['/srv/app/lake~1', '/var/cp/a:b.json']);
  });
});

describe('AWS region and endpoints', () => {
  it('refuses a region the SDK would build a host from that does not exist (us-east1, an availability zone, capitals), on real AWS', () => {
    expect(problemsOf({ STREAM_NAME: 'events', AWS_REGION: 'us-east1' })).toEqual(['AWS_REGION must be an AWS region code such as us-east-1, got "us-east1"']);
    expect(problemsOf({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1a' })).toEqual(['AWS_REGION must be an AWS region code such as us-east-1, got "eu-west-1a": "eu-west-1a" is an availability zone, the region is "eu-west-1"']);
    expect(problemsOf({ STREAM_NAME: 'events', AWS_DEFAULT_REGION: 'EU-WEST-1' })).toEqual(['AWS_DEFAULT_REGION must be an AWS region code such as us-east-1, got "EU-WEST-1": write "eu-west-1"']);
    for (const region of ['us-east-1', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'eusc-de-east-1', 'us-east-1-fips', 'fips-us-gov-west-1']) expect(problemsOf({ STREAM_NAME: 'events', AWS_REGION: region })).toEqual([]);
    // An emulator takes any region.
    expect(problemsOf({ STREAM_NAME: 'events', AWS_REGION: 'local', KINESIS_ENDPOINT: 'http://127.0.0.1:4567' })).toEqual([]);
  });

  it('refuses a Kinesis or DynamoDB endpoint with a path (the SDK put its own after it), an S3 one with a query or user, or a bad port', () => {
    const emulator = { STREAM_NAME: 'events', KINESIS_ENDPOINT: 'http://127.0.0.1:4567' };
    // S3-compatible stores may serve the API below a path (Supabase Storage): the S3 client keeps it.
    expect(readEnv({ ...emulator, S3_BUCKET: 'lake', S3_ENDPOINT: 'https://ref.storage.supabase.co/storage/v1/s3' }, '/srv/app').delivery.s3?.endpoint).toBe('https://ref.storage.supabase.co/storage/v1/s3');
    expect(problemsOf({ ...emulator, S3_BUCKET: 'lake', S3_ENDPOINT: 'http://k:s@127.0.0.1:9000/lake?x=1' })).toEqual(['S3_ENDPOINT must be a scheme, host, port and path only, got "http://k:s@127.0.0.1:9000/lake?x=1": write "http://127.0.0.1:9000/lake"']);
    expect(problemsOf({ ...emulator, KINESIS_ENDPOINT: 'http://127.0.0.1:4567/kinesis?x=1' })).toEqual(['KINESIS_ENDPOINT must be a scheme, host and port only, got "http://127.0.0.1:4567/kinesis?x=1": write "http://127.0.0.1:4567"']);
    expect(problemsOf({ ...emulator, KINESIS_ENDPOINT: 'http://127.0.0.1:abc' })).toEqual(['KINESIS_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4567, got "http://127.0.0.1:abc"']);
    const problems: string[] = [];
    readDynamoDedupeEnv({ DEDUPE_TABLE: 'seen', DYNAMODB_ENDPOINT: 'http://user:pw@127.0.0.1:4569' }, problems);
    expect(problems).toEqual(['DYNAMODB_ENDPOINT must be a scheme, host and port only, got "http://user:pw@127.0.0.1:4569": write "http://127.0.0.1:4569"']);
    for (const ok of ['http://127.0.0.1:4567', 'http://127.0.0.1:4567/', 'https://kinesis.eu-west-1.amazonaws.com', 'http://[::1]:4567']) expect(problemsOf({ ...emulator, KINESIS_ENDPOINT: ok })).toEqual([]);
  });
});

describe('PostgreSQL settings', () => {
  it("refuses a schema named in DATABASE_URL as other tools read it (Prisma's ?schema=, JDBC's ?currentSchema=, a search_path): the rows went to PG_SCHEMA", () => {
    const db = { ...base, KINESIS_ENDPOINT: 'http://127.0.0.1:4567' };
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u:p@127.0.0.1/db?schema=analytics' })).toEqual(['DATABASE_URL names the schema "analytics" (schema=…), which node-postgres does not read: rows go to PG_SCHEMA ("public"); set PG_SCHEMA=analytics, or take it out of DATABASE_URL']);
    expect(problemsOf({ ...db, DATABASE_URL: 'postgresql://u@h/db?currentSchema=analytics', PG_SCHEMA: 'other' })).toEqual(['DATABASE_URL names the schema "analytics" (currentSchema=…), which node-postgres does not read: rows go to PG_SCHEMA ("other"); set PG_SCHEMA=analytics, or take it out of DATABASE_URL']);
    // node-postgres passes options to the server: the search_path is set, but every statement names PG_SCHEMA's table.
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?options=-c%20search_path%3Danalytics' })).toEqual(['DATABASE_URL sets search_path=analytics (options=…), which node-postgres passes to the server, but the sink names its table with PG_SCHEMA in every statement: rows go to PG_SCHEMA ("public"); set PG_SCHEMA=analytics, or take it out of DATABASE_URL']);
    // Only a list's first entry is the schema meant, as PostgreSQL reads it: never advising PG_SCHEMA=analytics,public.
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?options=-c%20search_path%3Dextensions%2Cpublic' })).toEqual([expect.stringMatching(/set PG_SCHEMA=extensions, or take it out of DATABASE_URL$/) as unknown]);
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?currentSchema=analytics,public', PG_SCHEMA: 'analytics' })).toEqual([]);
    // Prisma quotes its ?schema= name: "Analytics" is not analytics.
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?schema=Analytics', PG_SCHEMA: 'analytics' })).toEqual([
      'DATABASE_URL names the schema "Analytics" (schema=…), which node-postgres does not read: rows go to PG_SCHEMA ("analytics"); "Analytics" is not a name PG_SCHEMA takes (a-z, 0-9, _): use a schema with such a name, or take it out of DATABASE_URL',
    ]);
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?currentSchema=Analytics', PG_SCHEMA: 'analytics' })).toEqual([]);
    // "$user" first is PostgreSQL's default, naming no schema; a quoted name keeps its case, which PG_SCHEMA cannot take.
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?options=-c%20search_path%3D%22%24user%22%2Cpublic' })).toEqual([]);
    expect(problemsOf({ ...db, DATABASE_URL: 'postgres://u@h/db?options=-c%20search_path%3D%22Analytics%22' })).toEqual([expect.stringMatching(/; "Analytics" is not a name PG_SCHEMA takes \(a-z, 0-9, _\): use a schema with such a name, or take it out of DATABASE_URL$/) as unknown]);
    // The same schema in both places, or none in the URL: fine.
    expect(readEnv({ ...db, DATABASE_URL: 'postgres://u@h/db?schema=analytics', PG_SCHEMA: 'analytics' }).delivery.postgres?.schema).toBe('analytics');
    expect(problemsOf({ ...db, DATABASE_URL: 'postgresql://u@h/db?sslmode=disable&application_name=x' })).toEqual([]);
  });

  it('refuses PG_* without DATABASE_URL (they did nothing, silently)', () => {
    expect(problemsOf({ ...base, PG_TABLE: 'events2' })).toEqual(['PG_TABLE set without DATABASE_URL, where it has no effect: set DATABASE_URL (rows to PostgreSQL too) or unset it']);
    expect(problemsOf({ ...base, PG_SCHEMA: 'analytics', PG_BATCH_SIZE: '100' })).toEqual(['PG_SCHEMA, PG_BATCH_SIZE set without DATABASE_URL, where they have no effect: set DATABASE_URL (rows to PostgreSQL too) or unset them']);
    expect(problemsOf({ ...base, PG_SCHEMA: '' })).toEqual([]);
  });
});

describe('EVENT_PREFIX and ERROR_PREFIX', () => {
  it('refuses one folder for both (the bad rows landed among the events, read as events by a table over them)', () => {
    expect(problemsOf({ ...base, EVENT_PREFIX: 'lake/', ERROR_PREFIX: 'lake/' })).toEqual(['EVENT_PREFIX and ERROR_PREFIX are both "lake/": bad rows would land among the events; give them their own folder, e.g. ERROR_PREFIX=bad_rows/']);
    expect(problemsOf({ ...base, EVENT_PREFIX: 'lake/events/', ERROR_PREFIX: 'lake/errors/' })).toEqual([]);
  });

  it('refuses one prefix\'s fixed folders inside the other\'s (ERROR_PREFIX=events/bad_rows/ under the default events/: a table over the events read the bad rows)', () => {
    expect(problemsOf({ ...base, ERROR_PREFIX: 'events/bad_rows/' })).toEqual([
      `EVENT_PREFIX "${DEFAULT_EVENT_PREFIX}" and ERROR_PREFIX "events/bad_rows/" overlap: ERROR_PREFIX's folder "events/bad_rows/" is inside EVENT_PREFIX's folder "events/" (the folders before the first !{), so a table over one reads the other's files; give them folders side by side, e.g. ERROR_PREFIX=bad_rows/`,
    ]);
    expect(problemsOf({ ...base, EVENT_PREFIX: 'lake/bad/!{timestamp:yyyy}/', ERROR_PREFIX: 'lake/!{firehose:error-output-type}/' })).toEqual([
      `EVENT_PREFIX "lake/bad/!{timestamp:yyyy}/" and ERROR_PREFIX "lake/!{firehose:error-output-type}/" overlap: EVENT_PREFIX's folder "lake/bad/" is inside ERROR_PREFIX's folder "lake/" (the folders before the first !{), so a table over one reads the other's files; give them folders side by side, e.g. ERROR_PREFIX=bad_rows/`,
    ]);
    expect(problemsOf({ ...base, EVENT_PREFIX: '!{timestamp:yyyy}/' })).toEqual([expect.stringContaining("EVENT_PREFIX's root (no fixed folder)") as unknown]);
    // Side by side, or sharing only a name's start: fine.
    expect(problemsOf({ ...base, EVENT_PREFIX: 'events/', ERROR_PREFIX: 'events_bad/' })).toEqual([]);
    expect(problemsOf({ ...base, ERROR_PREFIX: 'errors/!{firehose:error-output-type}/' })).toEqual([]);
  });
});
