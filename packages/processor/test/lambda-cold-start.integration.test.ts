import { startS3, type S3Emulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KinesisStreamEvent } from '../src';
import { awsEvent, b64 } from './fixtures/aws-events';
import { storedEvent } from './fixtures/events';
import { postgresRelay } from './fixtures/postgres-relay';
import { postgresSuite } from './fixtures/postgres-suite';

/** A fresh copy of the Lambda entry module: its set-up is cached per module instance, as per warm Lambda instance. */
async function freshEntry() {
  vi.resetModules();
  const [entry, config] = await Promise.all([import('../src/lambda'), import('../src/config-error')]);
  return { kinesisHandler: entry.kinesisHandler, ConfigError: config.ConfigError };
}

describe('kinesisHandler set-up on a cold start', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_cold_start');
  let s3: S3Emulator;
  let relay: Awaited<ReturnType<typeof postgresRelay>> | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['lake'] });
  });
  afterAll(async () => {
    process.env = saved;
    await relay?.close();
    await s3?.stop();
  });

  it('tries the set-up again on the next invocation after PostgreSQL was unreachable, instead of failing every later batch', async () => {
    relay = await postgresRelay(new URL(postgres.url()), { down: true });
    Object.assign(process.env, {
      S3_BUCKET: 'lake',
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      DATABASE_URL: relay.url,
      PG_SCHEMA: schema,
      PG_CONNECT_TIMEOUT_MS: '2000',
    });
    const { kinesisHandler } = await freshEntry();
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const stored = storedEvent();
    event.Records[1]!.kinesis.data = b64(stored);

    await expect(kinesisHandler(event)).rejects.toThrow();
    relay.up();
    // The same warm instance (same module), the same batch retried by the event source mapping.
    expect(await kinesisHandler(event)).toEqual({ batchItemFailures: [] });
    const rows = await postgres.admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events WHERE event_id = $1`, [stored.event_id]);
    expect(rows.rows[0]?.n).toBe('1');
  });

  it('keeps failing at once with the configuration error, which no retry can fix', async () => {
    process.env = { ...saved };
    delete process.env.S3_BUCKET;
    const { kinesisHandler, ConfigError } = await freshEntry();
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const first = await kinesisHandler(event).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ConfigError);
    expect(String(first)).toMatch(/S3_BUCKET is required/);
    process.env.S3_BUCKET = 'lake'; // a configuration is fixed by a new deployment (new instances), not by this one
    await expect(kinesisHandler(event)).rejects.toBe(first);
  });
});
