import { describe, expect, it } from 'vitest';
import { DemoSettingsError, readDemoSettings } from '../src/settings';

describe('the demo’s settings', () => {
  it('defaults, and takes valid values', () => {
    expect(readDemoSettings({})).toEqual({ engine: 'kinesalite', port: 0, seed: 0, verbose: false });
    expect(readDemoSettings({ DEMO_PORT: '8080', DEMO_SEED: '200', KINESIS_ENGINE: 'kinesis-local' })).toEqual({ engine: 'kinesis-local', port: 8080, seed: 200, verbose: false });
    // DEMO_VERBOSE=true left the logs off: only `1` counted.
    for (const on of ['1', 'true', 'YES', 'on']) expect(readDemoSettings({ DEMO_VERBOSE: on }).verbose).toBe(true);
    for (const off of ['', '0', 'false', 'off']) expect(readDemoSettings({ DEMO_VERBOSE: off }).verbose).toBe(false);
  });

  it('refuses what is not a port or a count, every problem at once', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        readDemoSettings(env);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(DemoSettingsError);
        return (error as DemoSettingsError).problems;
      }
    };
    expect(problems({ DEMO_PORT: 'abc', DEMO_SEED: 'abc', KINESIS_ENGINE: 'dynamo' })).toEqual([
      expect.stringContaining('KINESIS_ENGINE: unknown Kinesis engine "dynamo"'),
      'DEMO_PORT must be a port number (0 for a free one), an integer from 0 to 65535; got "abc"',
      'DEMO_SEED must be a number of shoppers, an integer from 0 to 1000000; got "abc"',
    ]);
    for (const port of ['-1', '65536', '80.5', '1e3']) expect(problems({ DEMO_PORT: port })).toHaveLength(1);
    for (const seed of ['-5', '2.5', '1000001']) expect(problems({ DEMO_SEED: seed })).toHaveLength(1);
    expect(problems({ DEMO_VERBOSE: 'loud' })).toEqual(['DEMO_VERBOSE must be 1, true, yes or on (or 0, false, no, off); got "loud"']);
  });
});
