import type { BenchReport, BenchRow } from './bench-report';

/** What a bench table says about where it was measured: figures only compare on one machine. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: a busy machine lowers every figure. */
  loadAtStart: number;
}

/** A figure readable at a glance: 3 significant digits, thousands grouped. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function ratioCell(row: BenchRow): string {
  if (row.ratio === undefined) return '';
  return row.ratio < 2 ? `${(row.ratio * 100).toFixed(1)} %` : `${row.ratio.toFixed(1)}×`;
}

function goalCell(row: BenchRow): string {
  if (!row.goal) return '';
  return `${row.goal} ${row.met === undefined ? '' : row.met ? '✔ met' : '✘ not met'}`.trim();
}

// A pipe would end the cell; a `<` could open an HTML tag that a markdown renderer hides.
const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('<', '&lt;');

/** One markdown table of every package's figures, as the root README carries it. */
export function benchTableMarkdown(reports: readonly BenchReport[], machine: MachineInfo): string {
  const lines = [
    '| package | figure | value | baseline (same run) | ratio | goal |',
    '|---|---|---:|---|---:|---|',
    ...reports.flatMap((report) =>
      report.rows.map((row) =>
        [
          report.package.replace('@eventline/', ''),
          escapeCell(row.figure),
          `${formatNumber(row.value)} ${row.unit}`,
          row.baseline ? `${escapeCell(row.baseline)}: ${formatNumber(row.baselineValue ?? Number.NaN)} ${row.unit}` : '',
          ratioCell(row),
          escapeCell(goalCell(row)),
        ].join(' | '),
      ),
    ).map((cells) => `| ${cells} |`),
  ];
  const where = `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadAtStart.toFixed(2)} at start`;
  return `${lines.join('\n')}\n\nMeasured on: ${where}.\n`;
}
