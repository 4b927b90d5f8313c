import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, waitFor, type PostgresServer } from '@eventline/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp, DEMO_WRITE_KEY, seedShoppers, startPipeline, type Pipeline } from '../src';
import type { PipelineStatus } from '../src/pipeline-status';

// The demo with a database: the processor loads PostgreSQL too, and the live view counts its rows.
const schema = `demo_view_${process.pid}_${Date.now()}`;
let postgres: PostgresServer;
let pipeline: Pipeline;
let dataDir: string;

beforeAll(async () => {
  postgres = await startPostgres();
  dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-pg-'));
  pipeline = await startPipeline({ dataDir, databaseUrl: postgres.url, pgSchema: schema });
});

afterAll(async () => {
  await pipeline?.stop();
  if (postgres) {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
    await postgres.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('pipeline view with PostgreSQL', () => {
  it('counts the rows the processor loaded, equal to the lake', async () => {
    expect(pipeline.database?.table).toBe(`"${schema}"."events"`);
    const seeded = await seedShoppers({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, shoppers: 8, seed: 3 });
    expect(seeded.problems).toEqual([]);
    const web = createWebApp({
      ingestUrl: pipeline.ingestUrl,
      writeKey: DEMO_WRITE_KEY,
      lakeDir: pipeline.lakeDir,
      processorMetricsUrl: pipeline.processorMetricsUrl,
      database: pipeline.database,
    });
    let status: PipelineStatus | undefined;
    await waitFor(
      'lake and PostgreSQL to hold every accepted event, and the processor to count them',
      async () => {
        status = (await (await web.request('/api/pipeline')).json()) as PipelineStatus;
        return status.lake.events === seeded.accepted && status.postgres?.events === seeded.accepted && status.processor?.rows_delivered === seeded.accepted;
      },
      60_000,
      250,
    );
    // The server ends the view's idle connection (a restart, say): the next poll still answers.
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      // This view's connection only: its last query named this test's schema (other demos may share the server).
      const ended = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'eventline-demo' AND query LIKE '%' || $1 || '%'",
        [schema],
      );
      expect(ended.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // A poll racing the pool's notice of the loss may report that one error; the next ones count again.
    await waitFor(
      'the view to count through a new connection',
      async () => ((await (await web.request('/api/pipeline')).json()) as PipelineStatus).postgres?.events === seeded.accepted,
      10_000,
      50,
    );
    web.closeLake();
    expect(status?.ingest).toMatchObject({ up: true, accepted: seeded.accepted, retry: 0, circuit_open: false });
    expect(status?.postgres).toEqual({ events: seeded.accepted });
    // From the processor's /metrics: every event read was delivered, and both shards report their lag.
    expect(status?.processor).toMatchObject({ up: true, records_read: seeded.accepted, rows_delivered: seeded.accepted, errors: 0 });
    expect(status?.processor?.max_behind_latest_seconds).toEqual(expect.any(Number));
  });
});
