import { describe, expect, it } from 'vitest';
import { runFuzz } from '../fuzz/harness';

/** The short form of `npm run fuzz` (same harness, fewer cases); FUZZ_COUNT=10000 runs the full one. */
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);

describe('fuzz at scale: the real Node ingest (dist/node.js) and the Kinesis emulator', () => {
  it(`${COUNT} generated requests and a rate-limit flood: every answer right, no 5xx or reset, RSS bounded, clean exit`, async () => {
    const report = await runFuzz({ count: COUNT });
    expect(report.failures, `seed ${report.seed}`).toEqual([]);
    expect(report.byStatus['200']).toBeGreaterThan(0);
    expect(report.flood.byStatus['429 rate_limited']).toBeGreaterThan(0);
    expect(report.rss.peakMiB).toBeLessThanOrEqual(report.rss.boundMiB);
    expect(report.exitCode).toBe(0);
  }, 300_000);
});
