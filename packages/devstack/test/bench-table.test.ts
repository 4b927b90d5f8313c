import { describe, expect, it } from 'vitest';
import { benchTableMarkdown, formatNumber, quantile, type MachineInfo } from '../src/index';

const machine: MachineInfo = { cpu: 'Test CPU', cores: 2, memoryGiB: 8, node: '20.20.0', os: 'Linux x64', loadAtStart: 1.5 };

describe('bench table', () => {
  it('puts every package row with its same-run baseline, ratio and goal verdict in one markdown table', () => {
    const table = benchTableMarkdown(
      [
        { package: '@eventline/ingest', rows: [{ figure: 'full ingest', value: 12_345.6, unit: 'events/s', baseline: 'bare Hono', baselineValue: 40_000, ratio: 0.3086, goal: '≥ 60 %', met: false }] },
        { package: '@eventline/sdk', rows: [{ figure: 'IIFE min+gzip', value: 7_900, unit: 'B', goal: '≤ 8 KB', met: true }] },
      ],
      machine,
    );
    const lines = table.split('\n');
    expect(lines[2]).toBe('| ingest | full ingest | 12,346 events/s | bare Hono: 40,000 events/s | 30.9 % | ≥ 60 % ✘ not met |');
    expect(lines[3]).toBe('| sdk | IIFE min+gzip | 7,900 B |  |  | ≤ 8 KB ✔ met |');
    expect(table).toContain('Measured on: Test CPU, 2 cores, 8 GiB, Linux x64, Node 20.20.0, load 1.50 at start.');
  });

  it('keeps a pipe or a tag-like name in a figure from breaking the table', () => {
    const table = benchTableMarkdown([{ package: 'x', rows: [{ figure: 'a|b <script>', value: 1, unit: 'ms' }] }], machine);
    expect(table).toContain('| x | a\\|b &lt;script> | 1 ms |');
  });

  it('shows ratios of two or more as multiples', () => {
    const table = benchTableMarkdown([{ package: 'x', rows: [{ figure: 'f', value: 20, unit: 'ms', baseline: 'b', baselineValue: 1, ratio: 20 }] }], machine);
    expect(table).toContain('| 20.0× |');
  });

  it('rounds figures to what a reader can compare', () => {
    expect(formatNumber(123_456.78)).toBe('123,457');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(0.01234)).toBe('0.012');
  });

  it('takes nearest-rank quantiles', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(quantile([7], 0)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow('quantile of no values');
  });
});
