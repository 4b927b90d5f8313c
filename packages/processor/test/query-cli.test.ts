import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, deliverRecords } from '../src';
import { formatTable } from '../src/query/format-table';
import { record, storedEvent } from './fixtures/events';
import { runEntry } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('formatTable', () => {
  it('aligns columns, shows NULL and counts rows', () => {
    expect(formatTable([{ app_id: 'shop', n: 12 }, { app_id: null, n: 3 }])).toBe(
      ['app_id  n', '------  --', 'shop    12', 'NULL    3', '(2 rows)'].join('\n'),
    );
    expect(formatTable([])).toBe('(0 rows)');
  });
});

describe('query CLI', () => {
  it('finds <INIT_CWD>/.data/lake and prints a table', async () => {
    const root = await dirs.make();
    await deliverRecords('shardId-000000000000', [record(storedEvent()), record(storedEvent())], createFolderSink(join(root, '.data/lake')));
    const run = runEntry('src/query/cli.ts', ['select app_id, count(*) as n', 'from events group by app_id'], { INIT_CWD: root });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe(['app_id  n', '------  -', 'shop    2', '(1 row)', ''].join('\n'));
  });

  it('resolves a relative LAKE_DIR against INIT_CWD (where `npm run query` was typed), not the package folder', async () => {
    const root = await dirs.make();
    await deliverRecords('shardId-000000000000', [record(storedEvent())], createFolderSink(join(root, 'my-lake')));
    const run = runEntry('src/query/cli.ts', ['select count(*) as n from events'], { INIT_CWD: root, LAKE_DIR: 'my-lake' });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe(['n', '-', '1', '(1 row)', ''].join('\n'));
  });

  it('exits 1 with one clear line on a SQL error', async () => {
    const lake = await dirs.make();
    const run = runEntry('src/query/cli.ts', ['select nope from events'], { LAKE_DIR: lake });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toEqual([`note: no events in the lake yet at ${lake}`, expect.stringMatching(/^query failed \(lake .+\): Binder Error: .*nope/)]);
  });

  it('exits 2 with usage when no SQL is given', async () => {
    const run = runEntry('src/query/cli.ts', [], { LAKE_DIR: await dirs.make() });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('usage:');
  });
});
