import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  ensureStreams,
  kinesisClientConfig,
  KINESIS_ENGINES,
  startKinesis,
  startPostgres,
  waitFor,
  type KinesisEmulator,
  type PostgresServer,
} from '@eventline/devstack';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
let postgres: PostgresServer;
let admin: pg.Client;
const schemas: string[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
}, 120_000);
afterAll(async () => {
  for (const schema of schemas) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
  await postgres?.stop();
  await dirs.cleanup();
});

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.parquet')).length;
}

describe.each(KINESIS_ENGINES)('processor killed with SIGKILL mid-delivery, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  const running: Running[] = [];

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }]);
    producer = new KinesisClient(kinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.exited));
    producer?.destroy();
    await kinesis?.stop();
  });

  async function put(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 500) {
      const events = Array.from({ length: Math.min(500, count - i) }, (_, j) => storedEvent({ anonymous_id: `dev-${(i + j) % 31}`, seq: i + j }));
      const out = await producer.send(
        new PutRecordsCommand({ StreamName: 'events', Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }),
      );
      expect(out.FailedRecordCount ?? 0).toBe(0);
      ids.push(...events.map((e) => e.event_id));
    }
    return ids;
  }

  it('restarts with no event lost and none duplicated, in the lake and in PostgreSQL', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const schema = `eventline_crash_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const env = {
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: 'events',
      LAKE_DIR: lakeDir,
      CHECKPOINT_FILE: join(dir, 'cp.json'),
      OUTPUT_FORMAT: 'parquet',
      BUFFER_MAX_MS: '200',
      BUFFER_MAX_BYTES: '4096', // ~8 records per flush: many flushes, so the kill lands mid-way
      POLL_INTERVAL_MS: '50',
      DATABASE_URL: postgres.url,
      PG_SCHEMA: schema,
      PG_BATCH_SIZE: '5',
    };
    const first = await put(800);
    const victim = runEntry('src/node.ts', [], env);
    running.push(victim);
    await waitFor('some files written', async () => (await countFiles(lakeDir)) >= 6 || victim.child.exitCode !== null, 60_000, 10);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    const lakeAfterKill = await runQuery(lakeDir, 'SELECT count(*) AS n FROM events');
    expect(lakeAfterKill[0]?.n).toBeLessThan(800); // killed mid-way, not after the end

    const second = await put(200);
    const sent = [...first, ...second].sort();
    const restarted = runEntry('src/node.ts', [], env);
    running.push(restarted);
    await waitFor('all events in the lake', async () => (await runQuery(lakeDir, 'SELECT count(DISTINCT event_id) AS n FROM events'))[0]?.n === 1000, 90_000);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    expect(await runQuery(lakeDir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: 1000, d: 1000 }]);
    expect((await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((r) => r.event_id)).toEqual(sent);
    const { rows } = await admin.query<{ n: string; d: string }>(`SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM "${schema}".events`);
    expect(rows[0]).toEqual({ n: '1000', d: '1000' });
  }, 180_000);
});
