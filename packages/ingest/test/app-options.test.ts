import { describe, expect, it } from 'vitest';
import { ConfigError, createApp, createMemoryWriter, hashWriteKey, loadConfig, parseWriteKeys, type AppOptions } from '../src';

const KEY = 'wk_lib';
const base: AppOptions = { streamName: 'events', badRowsStreamName: 'events-bad', writeKeys: parseWriteKeys(`${KEY}=shop`), maxBodyBytes: 1 << 20, maxEventBytes: 32 * 1024 };

/** What createApp refuses these options for: [] when it builds the app. */
function problemsOf(options: Partial<AppOptions> | Record<string, unknown>): string[] {
  try {
    createApp({ writer: createMemoryWriter(), options: { ...base, ...options } });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('createApp as a library: the checks the entries make at start', () => {
  it('refuses a Segment batch size whose bare statuses could pass the ALB answer bound (6,490 at most), naming the option', () => {
    expect(problemsOf({ maxSegmentBatchEvents: 6490 })).toEqual([]);
    expect(() => createApp({ writer: createMemoryWriter(), options: { ...base, maxSegmentBatchEvents: 6491 } })).toThrow(ConfigError);
    const [problem, ...rest] = problemsOf({ maxSegmentBatchEvents: 20_000 });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^options\.maxSegmentBatchEvents \(20000\) is more events than one answer can list: .* at most 6490$/);
  });

  it('refuses out-of-range and non-number limits, by the ranges of the environment', () => {
    expect(problemsOf({ maxBatchEvents: 501 })).toEqual(['options.maxBatchEvents must be an integer from 1 to 500, got 501']);
    expect(problemsOf({ maxEventBytes: 1_019_905 })).toEqual(['options.maxEventBytes must be an integer from 256 to 1019904, got 1019905']);
    expect(problemsOf({ maxBodyBytes: 512 })).toEqual(['options.maxBodyBytes must be an integer ≥ 1024, got 512']);
    // As JavaScript writes them: JSON would show NaN and Infinity as null.
    expect(problemsOf({ maxBodyBytes: Number.NaN })).toEqual(['options.maxBodyBytes must be an integer ≥ 1024, got NaN']);
    expect(problemsOf({ rateLimitPerSecond: Number.POSITIVE_INFINITY })).toEqual(['options.rateLimitPerSecond must be a number ≥ 0, got Infinity']);
    expect(problemsOf({ maxEventBytes: '32768' })).toEqual(['options.maxEventBytes must be an integer from 256 to 1019904, got "32768"']);
    expect(problemsOf({ maxSegmentBatchEvents: 0 })).toEqual(['options.maxSegmentBatchEvents must be an integer ≥ 1, got 0']);
    expect(problemsOf({ rateLimitPerSecond: -1 })).toEqual(['options.rateLimitPerSecond must be a number ≥ 0, got -1']);
    expect(problemsOf({ clientRateLimitPerSecond: 5, clientRateLimitBurst: 0 })).toEqual(['options.clientRateLimitBurst must be a number ≥ 1, got 0']);
    // A fraction is a rate the token bucket takes (one request per 100 s), though no variable can write it.
    expect(problemsOf({ rateLimitPerSecond: 0.01, rateLimitBurst: 2 })).toEqual([]);
  });

  it('refuses what the environment refuses across settings: inflation cap under the body cap (its default too), one stream for both, a stream ARN, a burst with its limit off', () => {
    expect(problemsOf({ maxBodyBytes: 4096, maxDecompressedBytes: 2048 })).toEqual(['options.maxDecompressedBytes must be ≥ options.maxBodyBytes']);
    // Left out, it is named with the default it took: the user never wrote it.
    expect(problemsOf({ maxBodyBytes: 16 << 20 })).toEqual(['options.maxDecompressedBytes (left out: its default 8 MiB) must be ≥ options.maxBodyBytes']);
    expect(problemsOf({ badRowsStreamName: 'events' })).toEqual(['options.badRowsStreamName must differ from options.streamName (both are "events"): rejections would be written among the events']);
    expect(problemsOf({ streamName: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events' })[0]).toMatch(/^options\.streamName must be a Kinesis stream name .*: use the stream name "events", not its ARN$/);
    expect(problemsOf({ rateLimitBurst: 50 })).toEqual(['options.rateLimitBurst has no effect while options.rateLimitPerSecond is 0 (the limit is off): set options.rateLimitPerSecond too, or leave options.rateLimitBurst out']);
    expect(problemsOf({ ipMode: 'hash' })).toEqual(['options.ipMode must be anonymize, full or none, got "hash"']);
    expect(problemsOf({ metrics: 'off' })).toEqual(['options.metrics must be true or false, got "off"']);
  });

  it('refuses write keys and origins the environment would: none (fail closed), a hash no key matches, one key for two apps, origins of no app or no browser', () => {
    expect(problemsOf({ writeKeys: [] })).toEqual(['options.writeKeys: at least one write key is required (fail closed)']);
    const upper = hashWriteKey(KEY).toUpperCase();
    expect(problemsOf({ writeKeys: [{ hash: upper, appId: 'shop' }] })).toEqual([`options.writeKeys[0].hash must be the key's sha256 as 64 lower-case hex digits (hashWriteKey(key)); it never matched a key`]);
    expect(problemsOf({ writeKeys: [{ hash: hashWriteKey(KEY), appId: 'my shop' }] })).toEqual(['options.writeKeys[0].appId must be 1–128 letters, digits, _ or -, got "my shop"']);
    const twice = [...parseWriteKeys(`${KEY}=shop`), { hash: hashWriteKey(KEY), appId: 'blog' }];
    expect(problemsOf({ writeKeys: twice })).toEqual(['options.writeKeys[1]: the same key is already given for app "shop": a key names one app, give "blog" a key of its own']);
    expect(problemsOf({ allowedOrigins: { ghost: ['*'] } })).toEqual(['options.allowedOrigins["ghost"]: no app "ghost" in options.writeKeys']);
    expect(problemsOf({ allowedOrigins: { shop: [] } })).toEqual(['options.allowedOrigins["shop"] must be a non-empty array of origin patterns']);
    expect(problemsOf({ allowedOrigins: { shop: ['https://shop.example:443'] } })).toEqual(['options.allowedOrigins["shop"]: "https://shop.example:443" names its scheme\'s default port, which browsers leave out of Origin: write "https://shop.example"']);
  });

  it('lists every problem at once, and takes every configuration the environment gives (limits off included)', () => {
    expect(problemsOf({ maxBatchEvents: 0, ipMode: 'hash', writeKeys: [] })).toHaveLength(3);
    // The checks across settings too, beside a value refused on its own (as loadConfig lists them).
    expect(problemsOf({ maxEventBytes: 1, streamName: 'bad name!' })).toEqual([
      'options.maxEventBytes must be an integer from 256 to 1019904, got 1',
      'options.streamName must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "bad name!"',
    ]);
    expect(problemsOf({ maxBatchEvents: 0, maxSegmentBatchEvents: 20_000, badRowsStreamName: 'events' })).toEqual([
      'options.maxBatchEvents must be an integer from 1 to 500, got 0',
      expect.stringMatching(/^options\.maxSegmentBatchEvents \(20000\) is more events than one answer can list: /),
      'options.badRowsStreamName must differ from options.streamName (both are "events"): rejections would be written among the events',
    ]);
    // Only a check that would weigh a refused value is skipped: no "≥" against a body cap that is no number.
    expect(problemsOf({ maxBodyBytes: Number.NaN, maxDecompressedBytes: 2048 })).toEqual(['options.maxBodyBytes must be an integer ≥ 1024, got NaN']);
    for (const env of [{}, { INGEST_RATE_LIMIT_PER_SECOND: '0' }, { INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '3' }, { INGEST_MAX_SEGMENT_BATCH_EVENTS: '6490', INGEST_MAX_BATCH_EVENTS: '1' }]) {
      const config = loadConfig({ INGEST_WRITE_KEYS: `${KEY}=shop`, INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example|http://127.0.0.1:*', ...env });
      expect(() => createApp({ writer: createMemoryWriter(), options: config })).not.toThrow();
    }
  });
});
