import { once } from 'node:events';
import { ensureStreams, readStream, recordJson, startKinesis, startKinesisFaultProxy, waitFor, emulatorKinesisClientConfig, type KinesisEmulator, type KinesisFaultProxy } from '@eventline/devstack';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse } from '../src';
import { basic, batch, event } from './helpers';
import { startIngest } from './ingest-process';

/** Loaded before the entry: on SIGUSR2 it raises the fault the test names, as a bug in the ingest would. */
const FAULT_HOOK = `data:text/javascript,${encodeURIComponent(`
process.on('SIGUSR2', () => {
  if (process.env.TEST_FAULT === 'uncaughtException') setImmediate(() => { throw new Error('injected fault'); });
  else void Promise.reject(new Error('injected fault'));
});`)}`;

describe('the Node entry after an error nothing caught', () => {
  let kinesis: KinesisEmulator;
  let proxy: KinesisFaultProxy;
  let client: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesis();
    await ensureStreams(kinesis.endpoint, [{ name: 'fatal-1', shards: 1 }, { name: 'fatal-2', shards: 1 }, { name: 'fatal-3', shards: 1 }, { name: 'fatal-bad', shards: 1 }]);
    proxy = await startKinesisFaultProxy(kinesis.endpoint);
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.stop();
    await kinesis?.stop();
  });

  it.each([
    ['unhandledRejection', 'fatal-1', false],
    ['uncaughtException', 'fatal-2', false],
    // The stop a SIGTERM began is under way: the error still makes the exit code 1.
    ['uncaughtException', 'fatal-3', true],
  ] as const)('%s, stream %s, during a SIGTERM stop: %s: logs it, answers the request in flight, then exits 1', async (kind, stream, terminating) => {
    proxy.plan = {};
    const { child, url, lines } = await startIngest(
      { KINESIS_ENDPOINT: proxy.endpoint, INGEST_WRITE_KEYS: 'wk_live=shop', STREAM_NAME: stream, BAD_ROWS_STREAM_NAME: 'fatal-bad', TEST_FAULT: kind },
      ['--import', FAULT_HOOK],
    );
    const exited = once(child, 'exit') as Promise<[number | null]>;
    // The proxy holds the write so that the fault comes while it is in flight.
    proxy.plan.latencyMs = 1500;
    const callsBefore = proxy.stats.calls.PutRecords ?? 0;
    const sent = event({ anonymous_id: 'in-flight' });
    const answer = fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: basic('wk_live'), 'content-type': 'application/json' }, body: batch([sent]) });
    await waitFor('the write to reach the proxy', () => (proxy.stats.calls.PutRecords ?? 0) > callsBefore, 10_000, 10);
    if (terminating) {
      child.kill('SIGTERM');
      await waitFor('the stop to begin', () => lines.some((l) => l.includes('"shutting down"')), 10_000, 10);
    }
    child.kill('SIGUSR2');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(((await res.json()) as BatchResponse).accepted).toBe(1);
    const [code] = await exited;
    expect(code).toBe(1);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', msg: 'fatal error, shutting down', kind, error: 'Error', message: 'injected fault' }));
    expect(records.at(-1)).toMatchObject({ msg: 'stopped' });
    expect((await readStream(client, stream)).map((r) => recordJson(r).event_id)).toEqual([sent.event_id]);
  });
});
