import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords, openReadOnlyLake, QueryRefusedError, type ReadOnlyLake } from '../src';
import { record, storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
let lake: ReadOnlyLake;

beforeAll(async () => {
  const dir = await dirs.make();
  await deliverRecords('shardId-000000000000', [record(storedEvent({ app_id: 'shop' })), record(storedEvent({ app_id: 'shop' }))], createFolderSink(dir));
  lake = await openReadOnlyLake(dir, { timeoutMs: 300, maxRows: 10 });
});
afterAll(async () => {
  lake?.close();
  await dirs.cleanup();
});

async function refusal(sql: string): Promise<unknown> {
  return lake.query(sql).then(
    () => new Error(`expected ${sql} to be refused`),
    (error: unknown) => error,
  );
}

describe('openReadOnlyLake (SQL typed by people)', () => {
  it('answers one SELECT over the lake', async () => {
    expect(await lake.query('select count(*) as n, min(app_id) as app from events')).toEqual({ rows: [{ n: 2, app: 'shop' }], truncated: false });
  });

  it('caps the rows returned and says so', async () => {
    const result = await lake.query('select * from range(50)');
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
  });

  it('refuses more than one statement', async () => {
    const error = await refusal('select 1; select 2');
    expect(error).toBeInstanceOf(QueryRefusedError);
    expect(error).toMatchObject({ code: 'not_one_statement' });
  });

  it('refuses COPY … TO, and writes no file', async () => {
    const target = join(tmpdir(), `eventline-copy-${process.pid}.csv`);
    // The sandbox already refuses the file at planning time; the statement-type check is a second wall.
    expect(String(await refusal(`copy (select 1) to '${target}'`))).toMatch(/Permission Error|read-only/);
    expect(existsSync(target)).toBe(false);
  });

  it.each(['create table t as select 1', 'set enable_external_access = true', "attach '/tmp/x.db'", 'install httpfs'])(
    'refuses a statement that is not a query: %s',
    async (sql) => {
      expect(await refusal(sql)).toMatchObject({ name: 'QueryRefusedError', code: 'not_read_only' });
    },
  );

  it('cannot read files outside the lake, even from a SELECT', async () => {
    const error = await refusal("select * from read_text('/etc/passwd')");
    expect(String(error)).toMatch(/Permission Error|disabled by configuration/);
  });

  it('stops a query that runs past the time limit', async () => {
    const error = await refusal('select sum(a.range * b.range) from range(200000) a, range(200000) b');
    expect(error).toMatchObject({ name: 'QueryRefusedError', code: 'timeout' });
    // The connection is still usable afterwards.
    expect((await lake.query('select 42 as x')).rows).toEqual([{ x: 42 }]);
  });
});
