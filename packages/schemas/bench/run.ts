import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchJson, type BenchRow } from '@eventline/devstack';

/**
 * `npm run bench`: vitest's bench of our compiled TypeBox validators against zod and valibot on the
 * same events, in one run; its JSON report becomes this package's rows in the root bench table.
 */
interface VitestBench {
  name: string;
  hz: number;
}
interface VitestReport {
  files: { groups: { fullName: string; benchmarks: VitestBench[] }[] }[];
}

const OURS = 'typebox (compiled, ours)';
const dir = mkdtempSync(join(tmpdir(), 'eventline-schemas-bench-'));
try {
  const reportPath = join(dir, 'report.json');
  const run = spawnSync('npx', ['vitest', 'bench', '--run', '--outputJson', reportPath], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestReport;
  const rows: BenchRow[] = report.files.flatMap((file) =>
    file.groups.flatMap((group) => {
      const ours = group.benchmarks.find((b) => b.name === OURS);
      const others = group.benchmarks.filter((b) => b !== ours);
      if (!ours || others.length === 0) return [];
      // The fastest other library is the baseline: "ours vs the best alternative".
      const best = others.reduce((a, b) => (b.hz > a.hz ? b : a));
      const label = group.fullName.split(' > ').at(-1) ?? group.fullName;
      return [{ figure: `validate one ${label}, ${OURS}`, value: ours.hz, unit: 'ops/s', baseline: best.name, baselineValue: best.hz, ratio: ours.hz / best.hz }];
    }),
  );
  writeBenchJson('@eventline/schemas', rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
