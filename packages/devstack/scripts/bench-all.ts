import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { benchTableMarkdown, type BenchReport, type MachineInfo } from '../src/index';

/**
 * The root `npm run bench`: every package's benchmark in turn (one at a time, so they do not share
 * the cores), each writing its figures as JSON (BENCH_JSON_OUT); then one table of all of them,
 * printed as markdown and written to bench-results.json at the repository root.
 */
const root = resolve(import.meta.dirname, '../../..');
// Down the data path, then the whole pipeline's freshness.
const ALL = ['@eventline/schemas', '@eventline/sdk', '@eventline/ingest', '@eventline/processor', '@eventline/demo'];
// `npm run bench -- ingest processor` runs just those.
const chosen = process.argv.slice(2);
const WORKSPACES = chosen.length === 0 ? ALL : ALL.filter((w) => chosen.some((name) => w === name || w === `@eventline/${name}`));
if (WORKSPACES.length === 0) throw new Error(`no bench among ${chosen.join(', ')}; known: ${ALL.join(', ')}`);

const machine: MachineInfo = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.versions.node,
  os: `${type()} ${process.arch}`,
  loadAtStart: loadavg()[0] ?? 0,
};

const dir = mkdtempSync(join(tmpdir(), 'eventline-bench-'));
const reports: BenchReport[] = [];
const failures: string[] = [];
try {
  for (const workspace of WORKSPACES) {
    const out = join(dir, `${workspace.replace(/\W+/g, '_')}.json`);
    console.log(`\n━━ ${workspace} ━━`);
    const run = spawnSync('npm', ['run', 'bench', '--workspace', workspace], { cwd: root, stdio: 'inherit', env: { ...process.env, BENCH_JSON_OUT: out } });
    if (!existsSync(out)) {
      failures.push(`${workspace}: no figures (bench exited with ${run.status ?? run.signal})`);
      continue;
    }
    reports.push(JSON.parse(readFileSync(out, 'utf8')) as BenchReport);
    // A bench may exit non-zero over its own budget; its figures still belong in the table.
    if (run.status !== 0) console.log(`(${workspace}'s bench exited with ${run.status}: over one of its budgets, see above)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const table = benchTableMarkdown(reports, machine);
console.log(`\n━━ one table ━━\n\n${table}`);
const resultsPath = join(root, 'bench-results.json');
writeFileSync(resultsPath, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, reports }, null, 2)}\n`);
console.log(`written: ${resultsPath}`);
if (failures.length > 0) {
  console.error(`\nbenches without figures:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
