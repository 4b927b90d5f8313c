import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReadOnlyLake, type ReadOnlyLake } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
let lake: ReadOnlyLake;

beforeAll(async () => {
  lake = await openReadOnlyLake(await dirs.make(), { timeoutMs: 60_000, maxRows: 10, memoryLimit: '64MB', threads: 1 });
});
afterAll(async () => {
  lake?.close();
  await dirs.cleanup();
});

describe('openReadOnlyLake memory', () => {
  it('stops a huge result at the row cap instead of materialising it (about 2.4 GB here, over a 64 MB limit)', async () => {
    // Materialised, this result takes about 2.4 GB of this process's memory before the first row is
    // returned (memory_limit does not cover a materialised result); streamed, DuckDB stops producing
    // rows once maxRows + 1 have been read. maxRSS is the process's peak, so it shows either.
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const result = await lake.query("select range as n, repeat('x', 100) as pad from range(20000000)");
    expect(result.truncated).toBe(true);
    expect(result.rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(512 * 1024 * 1024);
  });

  it('runs with the memory limit and threads it was given', async () => {
    const { rows } = await lake.query("select current_setting('memory_limit') as memory, current_setting('threads') as threads");
    expect(rows[0]).toEqual({ memory: '61.0 MiB', threads: 1 });
    const used = await lake.query('select coalesce(sum(memory_usage_bytes), 0) as bytes from duckdb_memory()');
    expect(Number(used.rows[0]?.bytes)).toBeLessThan(64 * 1024 * 1024);
  });

  it('fails a query whose operators need more than the memory limit (no spilling to disk)', async () => {
    await expect(lake.query("select range as n, repeat('x', 100) as pad from range(20000000) order by n desc")).rejects.toThrow(/Out of Memory/i);
    expect((await lake.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });
});
