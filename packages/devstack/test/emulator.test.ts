import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStreams, isAlive, waitFor, KINESIS_ENGINES, emulatorKinesisClientConfig, parseEngine, readStream, startKinesis, listeningAddresses } from '../src';

async function readAll(client: KinesisClient, stream: string): Promise<string[]> {
  return (await readStream(client, stream)).map((r) => new TextDecoder().decode(r.Data)).sort();
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.each(KINESIS_ENGINES)('%s', (engine) => {
  it('starts on a loopback port, serves PutRecords/GetRecords, and stops by pid', async () => {
    const kinesis = await startKinesis({ engine });
    const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    try {
      expect(kinesis.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(isAlive(kinesis.pid)).toBe(true);
      await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }]);
      await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }]); // idempotent
      const data = ['a', 'b', 'c', 'd'].map((s) => ({ Data: new TextEncoder().encode(s), PartitionKey: `k-${s}` }));
      const put = await client.send(new PutRecordsCommand({ StreamName: 'events', Records: data }));
      expect(put.FailedRecordCount).toBe(0);
      expect(await readAll(client, 'events')).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      client.destroy();
      await kinesis.stop();
    }
    expect(isAlive(kinesis.pid)).toBe(false);
  });

  it('listens on 127.0.0.1 only (every socket of the process, TLS port included)', async () => {
    const kinesis = await startKinesis({ engine });
    try {
      const addresses = listeningAddresses(kinesis.pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await kinesis.stop();
    }
  });
});

/** Live child processes of this one whose command line mentions `script` (read from /proc). */
function childrenRunning(script: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script)) pids.push(Number(entry));
    } catch {
      // the process exited while listing
    }
  }
  return pids;
}

describe('kinesalite start timeout', () => {
  it('stops the child it started when it misses the start timeout', async () => {
    // 1 ms: the timeout always passes before a Node child can even print its port.
    await expect(startKinesis({ engine: 'kinesalite', startTimeoutMs: 1 })).rejects.toThrow(/did not start within 1 ms/);
    await waitFor('the timed-out kinesalite child to exit', () => childrenRunning('kinesalite-child').length === 0, 20_000);
  });
});

describe('kinesalite with a data dir', () => {
  it('keeps records across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-kinesalite-'));
    dirs.push(dataDir);
    const first = await startKinesis({ engine: 'kinesalite', dataDir });
    const c1 = new KinesisClient(emulatorKinesisClientConfig(first.endpoint));
    await ensureStreams(first.endpoint, [{ name: 's', shards: 1 }]);
    await c1.send(new PutRecordsCommand({ StreamName: 's', Records: [{ Data: new TextEncoder().encode('kept'), PartitionKey: 'k' }] }));
    c1.destroy();
    await first.stop();

    const second = await startKinesis({ engine: 'kinesalite', dataDir });
    const c2 = new KinesisClient(emulatorKinesisClientConfig(second.endpoint));
    try {
      expect(await readAll(c2, 's')).toEqual(['kept']);
    } finally {
      c2.destroy();
      await second.stop();
    }
  });
});

describe('parseEngine', () => {
  it('defaults to kinesalite and rejects unknown names clearly', () => {
    expect(parseEngine(undefined)).toBe('kinesalite');
    expect(parseEngine('kinesis-local')).toBe('kinesis-local');
    expect(() => parseEngine('dynamo')).toThrow(/unknown Kinesis engine "dynamo"/);
  });
});
