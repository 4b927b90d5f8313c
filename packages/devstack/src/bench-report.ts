import { writeFileSync } from 'node:fs';

/** One measured figure of a package's benchmark, as the root `npm run bench` table shows it. */
export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  /** The same-run measurement this figure is compared with, when there is one. */
  baseline?: string;
  baselineValue?: number;
  ratio?: number;
  goal?: string;
  met?: boolean;
}

export interface BenchReport {
  package: string;
  rows: BenchRow[];
}

/**
 * Write a package's bench figures where the root `npm run bench` asked for them (BENCH_JSON_OUT);
 * without that variable, a package bench run on its own only prints.
 */
export function writeBenchJson(packageName: string, rows: BenchRow[], path = process.env.BENCH_JSON_OUT): void {
  if (!path) return;
  const report: BenchReport = { package: packageName, rows };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The q-quantile (0..1) of some measurements, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
