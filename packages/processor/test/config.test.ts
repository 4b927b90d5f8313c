import { describe, expect, it } from 'vitest';
import { ConfigError, readEnv } from '../src/config';

describe('readEnv', () => {
  it('applies defaults for a local emulator', () => {
    expect(readEnv({ KINESIS_ENDPOINT: 'http://127.0.0.1:4567', STREAM_NAME: 'events' }, '/repo')).toEqual({
      endpoint: 'http://127.0.0.1:4567',
      region: 'us-east-1',
      streamName: 'events',
      lakeDir: '/repo/.data/lake',
      checkpointFile: '/repo/.data/checkpoints/events.json',
      maxAgeMs: 60_000,
      maxBytes: 5 * 1024 * 1024,
      pollIntervalMs: 200,
      dummyCredentials: true,
    });
  });

  it('uses the default credential chain and requires a region for real AWS', () => {
    expect(() => readEnv({ STREAM_NAME: 'events' })).toThrow(/AWS_REGION is required/);
    const env = readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', BUFFER_MAX_MS: '1000', BUFFER_MAX_BYTES: '1024' }, '/x');
    expect(env).toMatchObject({ endpoint: undefined, region: 'eu-west-1', dummyCredentials: false, maxAgeMs: 1000, maxBytes: 1024 });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      readEnv({ KINESIS_ENDPOINT: 'http://x', STREAM_NAME: 'bad name', BUFFER_MAX_BYTES: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'STREAM_NAME is not a valid stream name: "bad name"',
      'BUFFER_MAX_BYTES must be an integer from 1 to 134217728, got "-1"',
    ]);
  });
});
