import { fileURLToPath } from 'node:url';
import { undocumentedEnvVars } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { ConfigError, hashWriteKey, loadConfig, packCalls, PUT_RECORDS_MAX_BYTES, parseWriteKeys, recordMaxBytes } from '../src';

describe('loadConfig', () => {
  it('applies documented defaults and stores only key hashes', () => {
    const config = loadConfig({ INGEST_WRITE_KEYS: 'secret-key=shop' });
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', streamName: 'events', maxBodyBytes: 1048576, maxEventBytes: 32768, trustedProxies: 0, metrics: true });
    expect(loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_TRUSTED_PROXIES: '2' }).trustedProxies).toBe(2);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_TRUSTED_PROXIES: 'yes' })).toThrow(/INGEST_TRUSTED_PROXIES must be an integer from 0 to 10/);
    expect(loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_METRICS: 'off' }).metrics).toBe(false);
    expect(config.stopDeadlineMs).toBe(10_000);
    expect(loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_STOP_DEADLINE_MS: '4000' }).stopDeadlineMs).toBe(4000);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_STOP_DEADLINE_MS: '500' })).toThrow(/INGEST_STOP_DEADLINE_MS must be an integer from 1000 to 3600000, got "500"/);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_STOP_DEADLINE_MS: '10s' })).toThrow(/INGEST_STOP_DEADLINE_MS must be an integer from 1000 to 3600000, got "10s"/);
    expect(config.requestTimeoutMs).toBe(30_000);
    expect(loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs).toBe(5000);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_REQUEST_TIMEOUT_MS: '400000' })).toThrow(/INGEST_REQUEST_TIMEOUT_MS must be an integer from 1000 to 300000, got "400000"/);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_METRICS: 'false' })).toThrow(/INGEST_METRICS must be on or off, got "false"/);
    // The largest limit keeps a stored record within Firehose's 1,000 KiB (its transform reads the events stream).
    const largest = loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_MAX_EVENT_BYTES: '1019904' }).maxEventBytes;
    expect(recordMaxBytes(largest)).toBe(1000 * 1024);
    expect(() => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_MAX_EVENT_BYTES: '1019905' })).toThrow(/INGEST_MAX_EVENT_BYTES must be an integer from 256 to 1019904, got "1019905"/);
    expect(config.writeKeys).toEqual([{ hash: hashWriteKey('secret-key'), appId: 'shop' }]);
    expect(JSON.stringify(config)).not.toContain('secret-key');
  });

  it('reports every problem at once and fails closed without keys', () => {
    try {
      loadConfig({ PORT: 'abc', KINESIS_ENDPOINT: 'localhost:4567' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect([...(error as ConfigError).problems].sort()).toEqual([
        'INGEST_WRITE_KEYS: at least one write key is required (fail closed)',
        'KINESIS_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4567, got "localhost:4567"',
        'PORT must be an integer from 0 to 65535, got "abc"',
      ]);
    }
  });

  it('accepts pre-hashed keys', () => {
    const hash = hashWriteKey('k');
    expect(parseWriteKeys(`sha256:${hash}=app_1`)).toEqual([{ hash, appId: 'app_1' }]);
    expect(() => parseWriteKeys('k=bad app')).toThrow(/entry 1/);
  });
});

/** What loadConfig refuses `env` for (with a write key), in its order: [] when it reads it. */
function problemsOf(env: Record<string, string>, openFileLimit?: number): string[] {
  try {
    loadConfig({ INGEST_WRITE_KEYS: 'k=shop', ...env }, openFileLimit);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('loadConfig: stream names (a value that passed and then failed every write)', () => {
  it('refuses a stream ARN, naming the stream to use', () => {
    expect(problemsOf({ STREAM_NAME: 'arn:aws:kinesis:us-east-1:000000000000:stream/events', BAD_ROWS_STREAM_NAME: 'events bad' })).toEqual([
      'STREAM_NAME must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "arn:aws:kinesis:us-east-1:000000000000:stream/events": use the stream name "events", not its ARN',
      'BAD_ROWS_STREAM_NAME must be a Kinesis stream name (1–128 of A-Z a-z 0-9 _ . -), got "events bad"',
    ]);
    expect(problemsOf({ STREAM_NAME: 'x'.repeat(129) })).toHaveLength(1);
    expect(problemsOf({ STREAM_NAME: 'prod.events_v2-eu', BAD_ROWS_STREAM_NAME: 'prod.events_v2-eu-bad' })).toEqual([]);
  });

  it('refuses one stream for events and bad rows (the processor would take every rejection for a bad event)', () => {
    expect(problemsOf({ STREAM_NAME: 'events', BAD_ROWS_STREAM_NAME: 'events' })).toEqual([
      'BAD_ROWS_STREAM_NAME must differ from STREAM_NAME (both are "events"): rejections would be written among the events',
    ]);
  });
});

describe('loadConfig: settings weighed against each other', () => {
  it('names a setting left unset with the default it took', () => {
    expect(problemsOf({ INGEST_MAX_BODY_BYTES: String(16 << 20) })).toEqual(['INGEST_MAX_DECOMPRESSED_BYTES (left out: its default 8 MiB) must be ≥ INGEST_MAX_BODY_BYTES']);
    expect(problemsOf({ STREAM_NAME: 'events-bad' })).toEqual([
      'BAD_ROWS_STREAM_NAME (left out: its default "events-bad") must differ from STREAM_NAME (both are "events-bad"): rejections would be written among the events',
    ]);
  });

  it('lists its problems in the order they always had: sizes, connections, stream names, bursts, ports, one stream for both', () => {
    const env = {
      INGEST_MAX_SEGMENT_BATCH_EVENTS: '10001',
      INGEST_MAX_CONNECTIONS: '2000',
      STREAM_NAME: 'bad name!',
      BAD_ROWS_STREAM_NAME: 'bad name!',
      INGEST_RATE_LIMIT_PER_SECOND: '0',
      INGEST_RATE_LIMIT_BURST: '5',
      PORT: '9090',
      INGEST_ADMIN_PORT: '9090',
    };
    const problems = problemsOf(env, 1024);
    expect(problems.map((p) => `${p.split(' ')[0]} ${p.includes('must differ') ? 'differ' : ''}`.trim())).toEqual([
      'INGEST_MAX_SEGMENT_BATCH_EVENTS',
      'INGEST_MAX_CONNECTIONS',
      'STREAM_NAME',
      'BAD_ROWS_STREAM_NAME',
      'INGEST_RATE_LIMIT_BURST',
      'INGEST_ADMIN_PORT differ',
      'BAD_ROWS_STREAM_NAME differ',
    ]);
  });
});

describe('loadConfig: INGEST_BASE_PATH (a custom domain\'s base path, cut before routing by the Lambda entry)', () => {
  const basePath = (value: string | undefined) => loadConfig({ INGEST_WRITE_KEYS: 'k=shop', INGEST_BASE_PATH: value }).basePath;

  it('takes the forms an operator copies from the console, as one normal form; none when unset, empty or /', () => {
    for (const value of ['ingest', '/ingest', '/ingest/', ' ingest ']) expect(basePath(value)).toBe('/ingest');
    expect(basePath('collect/v2')).toBe('/collect/v2');
    for (const value of [undefined, '', '/']) expect(basePath(value)).toBeUndefined();
  });

  it('refuses a URL, odd segments and the app\'s own first segments, naming what to write', () => {
    expect(() => basePath('https://api.shop.example/ingest')).toThrow(/INGEST_BASE_PATH must be a path such as \/ingest .*not a URL/);
    expect(() => basePath('/a//b')).toThrow(/INGEST_BASE_PATH must be a path of non-empty segments/);
    expect(() => basePath('/in%20gest')).toThrow(/no %-escapes/);
    // Dot segments resolve away in clients and proxies, and the message names only - . _ ~ besides letters and digits.
    for (const value of ['/..', '/.', 'ingest/..', '/in;gest', '/a:b', '/in@gest']) expect(() => basePath(value)).toThrow(/segments of letters, digits and - \. _ ~ \(no %-escapes, no \. or \.\. segment\)/);
    expect(basePath('/in.gest_v-2~')).toBe('/in.gest_v-2~');
    expect(() => basePath('/v1')).toThrow(/must not start with \/v1, one of the ingest's own paths/);
    expect(() => basePath('metrics/x')).toThrow(/must not start with \/metrics/);
  });
});

describe('packCalls', () => {
  const rec = (bytes: number) => ({ data: new Uint8Array(bytes), partitionKey: 'k' });
  it('splits at 500 records and at 5 MiB, keeping order', () => {
    const many = Array.from({ length: 1201 }, () => rec(10));
    expect(packCalls(many, many.map((_, i) => i)).map((c) => c.length)).toEqual([500, 500, 201]);
    const big = Array.from({ length: 12 }, () => rec(1000 * 1000));
    const calls = packCalls(big, big.map((_, i) => i));
    expect(calls.map((c) => c.length)).toEqual([5, 5, 2]);
    expect(calls.flat()).toEqual(big.map((_, i) => i));
    for (const call of calls) expect(call.length * 1000 * 1001).toBeLessThanOrEqual(PUT_RECORDS_MAX_BYTES);
  });
  it('refuses a record over 1 MiB', () => {
    expect(() => packCalls([rec(1024 * 1024)], [0])).toThrow(/1 MiB/);
  });
});

describe('loadConfig: edge settings', () => {
  it('reads origins, limits, rate limit, IP mode and writer tuning, checking each', () => {
    const config = loadConfig({
      INGEST_WRITE_KEYS: 'a=shop,b=blog',
      INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example|http://127.0.0.1:*;blog=*',
      INGEST_MAX_BATCH_EVENTS: '100',
      INGEST_RATE_LIMIT_PER_SECOND: '50',
      INGEST_IP: 'none',
      INGEST_LINGER_MS: '0',
    });
    expect(config.allowedOrigins).toEqual({ shop: ['https://shop.example', 'http://127.0.0.1:*'], blog: ['*'] });
    expect(config).toMatchObject({ maxBatchEvents: 100, rateLimitPerSecond: 50, rateLimitBurst: 100, ipMode: 'none', writer: { lingerMs: 0, budgetMs: 2000 } });
  });

  it('lists every bad edge setting', () => {
    const env = {
      INGEST_WRITE_KEYS: 'a=shop',
      INGEST_ALLOWED_ORIGINS: 'shop=shop.example;ghost=*',
      INGEST_MAX_BATCH_EVENTS: '501',
      INGEST_MAX_SEGMENT_BATCH_EVENTS: '10001',
      INGEST_IP: 'hash',
      INGEST_MAX_BODY_BYTES: '4096',
      INGEST_MAX_DECOMPRESSED_BYTES: '2048',
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('INGEST_ALLOWED_ORIGINS');
      expect(problems).toContain('INGEST_MAX_BATCH_EVENTS must be an integer from 1 to 500');
      expect(problems).toContain('INGEST_MAX_SEGMENT_BATCH_EVENTS (10001) is more events than one answer can list');
      expect(problems).toContain('INGEST_IP must be anonymize, full or none');
      expect(problems).toContain('INGEST_MAX_DECOMPRESSED_BYTES must be ≥ INGEST_MAX_BODY_BYTES');
    }
  });
});

describe('loadConfig: slow clients and connections (Node entry)', () => {
  const keys = { INGEST_WRITE_KEYS: 'k=shop' };
  it('defaults to 500 bytes/s and 1024 connections, or what the open-file limit leaves (128 kept for Kinesis and Node)', () => {
    expect(loadConfig(keys)).toMatchObject({ minBodyBytesPerSecond: 500, maxConnections: 1024 });
    expect(loadConfig(keys, 1_048_576).maxConnections).toBe(1024);
    expect(loadConfig(keys, 1024).maxConnections).toBe(896);
    expect(loadConfig(keys, 100).maxConnections).toBe(1);
  });

  it('reads both, 0 turning each off', () => {
    expect(loadConfig({ ...keys, INGEST_MIN_BODY_BYTES_PER_SECOND: '0', INGEST_MAX_CONNECTIONS: '0' }, 1024)).toMatchObject({ minBodyBytesPerSecond: 0, maxConnections: 0 });
    expect(loadConfig({ ...keys, INGEST_MIN_BODY_BYTES_PER_SECOND: '2000', INGEST_MAX_CONNECTIONS: '5000' }, 65_536)).toMatchObject({ minBodyBytesPerSecond: 2000, maxConnections: 5000 });
  });

  it('lists bad values, and a cap the open-file limit cannot hold', () => {
    expect(problemsOf({ INGEST_MIN_BODY_BYTES_PER_SECOND: '-1', INGEST_MAX_CONNECTIONS: '12.5' })).toEqual([
      'INGEST_MIN_BODY_BYTES_PER_SECOND must be an integer from 0 to 1048576, got "-1"',
      'INGEST_MAX_CONNECTIONS must be an integer from 0 to 1000000, got "12.5"',
    ]);
    expect(problemsOf({ INGEST_MIN_BODY_BYTES_PER_SECOND: '500B', INGEST_MAX_CONNECTIONS: '' })).toEqual(['INGEST_MIN_BODY_BYTES_PER_SECOND must be an integer from 0 to 1048576, got "500B"']);
    expect(problemsOf({ INGEST_MAX_CONNECTIONS: '2000' }, 1024)).toEqual([
      "INGEST_MAX_CONNECTIONS (2000) must leave 128 of the process's 1024 open files (its hard limit, ulimit -Hn: Node raises the soft one to it) for Kinesis and Node: at most 896, or raise the limit",
    ]);
    expect(problemsOf({ INGEST_MAX_CONNECTIONS: '896' }, 1024)).toEqual([]);
    expect(problemsOf({ INGEST_MAX_CONNECTIONS: '0' }, 1024)).toEqual([]);
  });

  it('reads the limit per client address: off by default, its burst twice the rate unless given', () => {
    expect(loadConfig(keys)).toMatchObject({ clientRateLimitPerSecond: 0 });
    expect(loadConfig({ ...keys, INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '50' })).toMatchObject({ clientRateLimitPerSecond: 50, clientRateLimitBurst: 100 });
    expect(loadConfig({ ...keys, INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '50', INGEST_CLIENT_RATE_LIMIT_BURST: '10' })).toMatchObject({ clientRateLimitBurst: 10 });
    expect(() => loadConfig({ ...keys, INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '-1' })).toThrow('INGEST_CLIENT_RATE_LIMIT_PER_SECOND must be an integer ≥ 0, got "-1"');
    expect(() => loadConfig({ ...keys, INGEST_CLIENT_RATE_LIMIT_BURST: '20' })).toThrow('INGEST_CLIENT_RATE_LIMIT_BURST has no effect while INGEST_CLIENT_RATE_LIMIT_PER_SECOND is 0 (the limit is off): set INGEST_CLIENT_RATE_LIMIT_PER_SECOND too, or leave INGEST_CLIENT_RATE_LIMIT_BURST out');
    expect(() => loadConfig({ ...keys, INGEST_RATE_LIMIT_PER_SECOND: '0', INGEST_RATE_LIMIT_BURST: '5' })).toThrow('INGEST_RATE_LIMIT_BURST has no effect while INGEST_RATE_LIMIT_PER_SECOND is 0');
    // A rate refused for its own value: that problem alone, not a burst "without" a rate.
    const problems = (() => {
      try {
        loadConfig({ ...keys, INGEST_CLIENT_RATE_LIMIT_PER_SECOND: '2.5', INGEST_CLIENT_RATE_LIMIT_BURST: '10' });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(['INGEST_CLIENT_RATE_LIMIT_PER_SECOND must be an integer ≥ 0, got "2.5"']);
  });

  it('reads INGEST_ADMIN_PORT (unset: no admin listener), which must differ from PORT', () => {
    expect(loadConfig(keys).adminPort).toBeUndefined();
    expect(loadConfig({ ...keys, INGEST_ADMIN_PORT: '9090' }).adminPort).toBe(9090);
    expect(loadConfig({ ...keys, PORT: '0', INGEST_ADMIN_PORT: '0' }).adminPort).toBe(0);
    expect(() => loadConfig({ ...keys, PORT: '9090', INGEST_ADMIN_PORT: '9090' })).toThrow('INGEST_ADMIN_PORT must differ from PORT (both are 9090)');
    expect(() => loadConfig({ ...keys, INGEST_ADMIN_PORT: 'metrics' })).toThrow('INGEST_ADMIN_PORT must be an integer from 0 to 65535, got "metrics"');
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
