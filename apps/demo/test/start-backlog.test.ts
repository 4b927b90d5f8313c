import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAlive, stopChild, waitFor } from '@eventline/devstack';
import { afterAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../src';
import { trackThroughSdk } from './track-through-sdk';

const START = new URL('../dist/start.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-wait-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const IDS = Array.from({ length: 20 }, (_, i) => `backlog_${i}`);

/** Run 1: the processor stands still while IDS are written, then is killed unread. */
async function leaveBacklog(): Promise<void> {
  const pipeline = await startPipeline({ dataDir, engine: 'kinesalite' });
  try {
    const processor = pipeline.services.find((s) => s.name === 'processor');
    if (!processor) throw new Error('no processor');
    process.kill(processor.pid, 'SIGSTOP');
    expect(await trackThroughSdk(pipeline.ingestUrl, IDS)).toHaveLength(IDS.length);
    process.kill(processor.pid, 'SIGKILL');
  } finally {
    await pipeline.stop();
  }
}

/** The processes `pid` started (read from /proc), with their command lines. */
function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  const children: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

function runDemo(): { lines: string[]; closed: Promise<unknown[]>; demo: ReturnType<typeof spawn> } {
  const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: demo.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: demo.stderr }).on('line', (line) => lines.push(line));
  return { lines, closed: once(demo, 'close'), demo };
}

describe("npm run demo with an earlier run's backlog", () => {
  it('says how far the processor got; Ctrl-C during the wait stops at once, the backlog left for the next start', async () => {
    await leaveBacklog();

    // Run 2: Ctrl-C while the processor is still on the backlog (frozen, so it stays there).
    const second = runDemo();
    try {
      await waitFor('the backlog progress line', () => second.lines.some((l) => l.includes('Reading the 20 records earlier runs left in the streams')), 60_000);
      const children = childrenOf(second.demo.pid!);
      const processor = children.find((c) => c.cmdline.includes('processor'));
      if (!processor) throw new Error(`no processor among ${JSON.stringify(children)}`);
      process.kill(processor.pid, 'SIGSTOP');
      second.demo.kill('SIGINT');
      const [code] = (await second.closed) as [number | null];
      expect(code).toBe(0);
      const text = second.lines.join('\n');
      expect(text).toMatch(/ {2}Reading the 20 records earlier runs left in the streams before the ingest starts: \d+ read \(Ctrl-C stops\)\nStopping …/);
      expect(text).not.toContain('Demo page');
      expect(text).not.toContain('Not waiting for');
      expect(children.map((c) => c.pid).filter(isAlive)).toEqual([]);
    } finally {
      if (second.demo.exitCode === null) await stopChild(second.demo, 1_000);
    }

    // Run 3: all 20 still there (run 2 checkpointed none of them), read before the ingest starts, and said so.
    const third = runDemo();
    try {
      await waitFor('the banner', () => third.lines.some((l) => l.includes('Ctrl-C stops everything')), 60_000);
      expect(third.lines).toContain("  Read the 20 records earlier runs left in the streams; the live view's line leaves them out.");
    } finally {
      third.demo.kill('SIGINT');
      await third.closed;
    }
  });
});
