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
      { figure: '(b)/(a): full ingest vs bare Hono', value: round(ratio * 100, 1), unit: '%', goal: '≥ 60 %', met: ratio >= 0.6 },
      {
        figure: `p99 of (b) at half its max, paced`,
        value: m.bHalf.p99,
        unit: 'ms',
        baseline: m.aHalf.name,
        baselineValue: m.aHalf.p99,
        ...(m.aHalf.p99 > 0 ? { ratio: round(m.bHalf.p99 / m.aHalf.p99) } : {}),
        goal: '≤ 25 ms',
        met: m.bHalf.p99 <= 25,
      },
    ],
  };
}
