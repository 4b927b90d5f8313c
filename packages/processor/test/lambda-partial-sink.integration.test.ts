import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, createKinesisEsmHandler, createPostgresSink, decodeNdjsonGzip } from '../src';
import { esmRecords } from './fixtures/aws-events';
import { storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

async function lakeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/**
 * A partial sink failure: the batch's S3/folder files are written, then its PostgreSQL rows are not.
 * The whole batch is reported failed from its first record (thrown: one shard per invocation), and
 * Lambda's retry from that record rewrites the same files and the same rows: once each, in both sinks.
 */
describe('Kinesis ESM handler: files written, then PostgreSQL failed', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_esm_partial');

  it('throws naming the batch\'s first record; the retry (more records after it) leaves every event once in the lake and in PostgreSQL', async () => {
    const rows = await createPostgresSink({ connectionString: postgres.url(), schema, table: 'events', statementTimeoutMs: 400 });
    const blocker = new pg.Client({ connectionString: postgres.url() });
    try {
      const lake = await dirs.make();
      // Two hour folders, so the failed attempt wrote more than one file.
      const events = Array.from({ length: 5 }, (_, i) => storedEvent({ received_at: `2026-11-25T${i % 2 ? '10' : '09'}:00:0${i}.000Z` }));
      const records = await esmRecords(events);
      const handler = createKinesisEsmHandler({ sink: createFolderSink(lake), delivery: { rowSink: rows } });

      // Another session holds the table: the rows' INSERT cannot take its lock within the statement timeout.
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".events IN ACCESS EXCLUSIVE MODE`);
      await expect(handler({ Records: records.slice(0, 3) })).rejects.toMatchObject({ name: 'KinesisBatchFailedError', firstSequenceNumber: records[0]!.kinesis.sequenceNumber });
      const written = await lakeFiles(lake);
      expect(written).toHaveLength(2);
      await blocker.query('ROLLBACK');

      // Lambda retries from the reported record, with the records that arrived meanwhile.
      expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
      expect(await lakeFiles(lake)).toEqual(written);
      const inLake = (await Promise.all(written.map(async (f) => decodeNdjsonGzip(await readFile(join(lake, f)))))).flat();
      const ids = events.map((e) => e.event_id).sort();
      expect(inLake.map((r) => (r as { event_id: string }).event_id).sort()).toEqual(ids);
      const inPostgres = await postgres.admin().query<{ event_id: string }>(`SELECT event_id FROM "${schema}".events ORDER BY event_id`);
      expect(inPostgres.rows.map((r) => r.event_id)).toEqual(ids);
    } finally {
      await blocker.end();
      await rows.close();
    }
  }, 30_000);
});
