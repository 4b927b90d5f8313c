import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { createKeyLookup, hashWriteKey } from '../src/write-keys';

/** Values as operators write them, which were accepted and then did something else: each works as meant or is refused at start. */
const base = { INGEST_WRITE_KEYS: 'k1=shop', KINESIS_ENDPOINT: 'http://127.0.0.1:4567' };
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};
const appFor = (spec: string, key: string): string | undefined => createKeyLookup(loadConfig({ ...base, INGEST_WRITE_KEYS: spec }).writeKeys)(key)?.appId;

describe('INGEST_WRITE_KEYS as secret managers and people write it', () => {
  it('takes one entry a line, as well as commas (one a line was read as one entry: neither key worked)', () => {
    for (const spec of ['k1=shop\nk2=blog', 'k1=shop\r\nk2=blog\r\n', 'k1=shop,\nk2=blog\n']) {
      expect([appFor(spec, 'k1'), appFor(spec, 'k2')]).toEqual(['shop', 'blog']);
    }
  });

  it('takes spaces around "=" and a hash prefix in capitals (" = " failed, SHA256: was hashed as a plain key)', () => {
    expect(appFor('k1 = shop', 'k1')).toBe('shop');
    expect(appFor(`SHA256:${hashWriteKey('k1')}=shop`, 'k1')).toBe('shop');
    expect(appFor(`sha256:${hashWriteKey('k1').toUpperCase()}=shop`, 'k1')).toBe('shop');
  });

  it('refuses one key for two apps (its events all went to the last one), semicolons and a hash in another form, never quoting a key', () => {
    expect(problemsOf({ INGEST_WRITE_KEYS: 'k1=shop,k1=blog' })).toEqual(['INGEST_WRITE_KEYS entry 2: the same key is already given for app "shop": a key names one app, give "blog" a key of its own']);
    expect(problemsOf({ INGEST_WRITE_KEYS: `k1=shop,sha256:${hashWriteKey('k1')}=blog` })).toEqual(['INGEST_WRITE_KEYS entry 2: the same key is already given for app "shop": a key names one app, give "blog" a key of its own']);
    expect(problemsOf({ INGEST_WRITE_KEYS: 'k1=shop;k2=blog' })).toEqual(['INGEST_WRITE_KEYS entry 1: separate entries with commas or line breaks, not ";" (it made one key of two)']);
    expect(problemsOf({ INGEST_WRITE_KEYS: `sha256=${hashWriteKey('k1')}=shop` })).toEqual(['INGEST_WRITE_KEYS entry 1: write a hashed key as "sha256:<64 hex digits>=app_id" (this one was taken as a plain key)']);
    // The same key listed twice for one app is harmless: kept once.
    expect(loadConfig({ ...base, INGEST_WRITE_KEYS: 'k1=shop,k1=shop' }).writeKeys).toEqual([{ hash: hashWriteKey('k1'), appId: 'shop' }]);
  });
});

describe('switches, host, endpoint and region', () => {
  it('reads INGEST_LOG_REQUESTS as on/off in any usual spelling, and refuses others (TRUE and yes were off)', () => {
    for (const on of ['1', 'true', 'TRUE', 'yes', 'On']) expect(loadConfig({ ...base, INGEST_LOG_REQUESTS: on }).logAllRequests).toBe(true);
    for (const off of ['', '0', 'false', 'No', 'off']) expect(loadConfig({ ...base, INGEST_LOG_REQUESTS: off }).logAllRequests).toBe(false);
    expect(problemsOf({ INGEST_LOG_REQUESTS: 'verbose' })).toEqual(['INGEST_LOG_REQUESTS must be 1, true, yes or on (or 0, false, no, off), got "verbose"']);
  });

  it('refuses a HOST with a port, a scheme or brackets (the server died at start on getaddrinfo ENOTFOUND), naming the host to write', () => {
    expect(problemsOf({ HOST: '0.0.0.0:8080' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "0.0.0.0:8080": write "0.0.0.0" (the port is PORT)']);
    expect(problemsOf({ HOST: 'http://0.0.0.0' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "http://0.0.0.0": write "0.0.0.0" (the port is PORT)']);
    expect(problemsOf({ HOST: '[::]' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "[::]": write "::"']);
    for (const host of ['0.0.0.0', '::', 'ingest.internal', ' 127.0.0.1']) expect(problemsOf({ HOST: host })).toEqual([]);
  });

  it('takes Docker service names (ingest_1) and a trailing dot, and names no host to write when none is left', () => {
    for (const host of ['ingest_1', 'ingest.local.', 'my_host.internal']) expect(problemsOf({ HOST: host })).toEqual([]);
    expect(loadConfig({ ...base, HOST: 'ingest_1' }).host).toBe('ingest_1');
    // A value with nothing to take off gets no "write …" hint (it named the same value back).
    expect(problemsOf({ HOST: 'my host' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "my host"']);
    expect(problemsOf({ HOST: 'ingest..local' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "ingest..local"']);
    expect(problemsOf({ HOST: 'ingest_1:8080' })).toEqual(['HOST must be an IP address or host name (no scheme, port or brackets), got "ingest_1:8080": write "ingest_1" (the port is PORT)']);
  });

  it('refuses a KINESIS_ENDPOINT with a path or a bad port, and a malformed region on real AWS', () => {
    expect(problemsOf({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567/kinesis' })).toEqual(['KINESIS_ENDPOINT must be a scheme, host and port only, got "http://127.0.0.1:4567/kinesis": write "http://127.0.0.1:4567"']);
    expect(problemsOf({ KINESIS_ENDPOINT: 'http://127.0.0.1:abc' })).toEqual(['KINESIS_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4567, got "http://127.0.0.1:abc"']);
    expect(loadConfig({ ...base, KINESIS_ENDPOINT: 'http://127.0.0.1:4567 ' }).kinesis.endpoint).toBe('http://127.0.0.1:4567');
    expect(problemsOf({ KINESIS_ENDPOINT: '', AWS_REGION: 'us-east1' })).toEqual(['AWS_REGION must be an AWS region code such as us-east-1, got "us-east1"']);
    expect(problemsOf({ KINESIS_ENDPOINT: '', AWS_REGION: 'eu-west-1a' })).toEqual(['AWS_REGION must be an AWS region code such as us-east-1, got "eu-west-1a": "eu-west-1a" is an availability zone, the region is "eu-west-1"']);
    expect(loadConfig({ ...base, KINESIS_ENDPOINT: '', AWS_REGION: 'eu-west-1' }).kinesis).toEqual({ region: 'eu-west-1' });
    expect(loadConfig({ ...base, AWS_REGION: 'local' }).kinesis.region).toBe('local');
  });
});
