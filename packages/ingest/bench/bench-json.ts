import type { BenchRow } from '@eventline/devstack';

interface Throughput {
  name: string;
  eventsPerSec: number;
}
interface Paced {
  name: string;
  p99: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `BENCH_JSON_OUT`: the ingest's figures for the root bench table. */
/** Issue 4's goals: (b) at least this share of (a), and (b)'s paced p99 at half its max at most this. */
export const GOALS = { ratio: 0.6, p99Ms: 25 } as const;

export function benchJson(m: { a: Throughput; b: Throughput; c: Throughput; aHalf: Paced; bHalf: Paced }): { package: string; rows: BenchRow[] } {
  const eventsRow = (r: Throughput, vsA: boolean): BenchRow => ({
    figure: r.name,
    value: Math.round(r.eventsPerSec),
    unit: 'events/s',
    ...(vsA ? { baseline: m.a.name, baselineValue: Math.round(m.a.eventsPerSec), ratio: round(r.eventsPerSec / m.a.eventsPerSec) } : {}),
  });
  const ratio = m.b.eventsPerSec / m.a.eventsPerSec;
  return {
    package: '@eventline/ingest',
    rows: [
      eventsRow(m.a, false),
      eventsRow(m.b, true),
      eventsRow(m.c, true),
      { figure: '(b)/(a): full ingest vs bare Hono', value: round(ratio * 100, 1), unit: '%', goal: `≥ ${GOALS.ratio * 100} %`, met: ratio >= GOALS.ratio },
      {
        figure: `p99 of (b) at half its max, paced`,
        value: m.bHalf.p99,
        unit: 'ms',
        baseline: m.aHalf.name,
        baselineValue: m.aHalf.p99,
        ...(m.aHalf.p99 > 0 ? { ratio: round(m.bHalf.p99 / m.aHalf.p99) } : {}),
        goal: `≤ ${GOALS.p99Ms} ms`,
        met: m.bHalf.p99 <= GOALS.p99Ms,
      },
    ],
  };
}
