import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAlive, stopChild, waitFor } from '@eventline/devstack';
import { runQuery } from '@eventline/processor';
import { afterAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../src';
import { trackThroughSdk } from './track-through-sdk';

// At a stop the processor reads what the ingest accepted to the streams' tip before its final flush
// (its SHUTDOWN_DRAIN_MS), so the lake holds every accepted event once the demo has stopped; what it
// could not read is counted and told, and the next start reads it.
const START = new URL('../dist/start.js', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `eventline-demo-${name}-`));
  dirs.push(dir);
  return dir;
};

const SIGTERM_BIT = 1n << 14n; // signal 15, in /proc/<pid>/status' pending masks

/** The signal is sent to the process and waits (it is stopped) to be handled. */
function sigtermPending(pid: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return ['ShdPnd', 'SigPnd'].some((field) => (BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`) & SIGTERM_BIT) !== 0n);
}

const lakeIds = async (lakeDir: string): Promise<string[]> =>
  (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id').catch(() => [])).map((r) => r.event_id as string);

describe('stopping the demo', () => {
  it("a terminal's Ctrl-C: every event the ingest accepted is in the lake once the demo has exited, the ones the processor had not read yet too", async () => {
    const dir = tempDir('drain');
    // detached: the demo leads its own process group, as a shell's foreground job does.
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const lines: string[] = [];
    createInterface({ input: demo.stdout }).on('line', (line) => lines.push(line));
    createInterface({ input: demo.stderr }).on('line', (line) => lines.push(line));
    const closed = once(demo, 'close');
    let pids: Record<string, number> = {};
    try {
      await waitFor('the banner', () => lines.some((line) => line.includes('Ctrl-C stops everything')), 60_000);
      const processes = /Processes\s+(.*)/.exec(lines.join('\n'))?.[1] ?? '';
      pids = Object.fromEntries([...processes.matchAll(/(\w+)=(\d+)/g)].map((m): [string, number] => [m[1] ?? '', Number(m[2])]));
      const ingestUrl = /Ingest\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'))?.[1];
      const processor = pids.processor;
      expect(processor).toBeDefined();
      expect(ingestUrl).toBeDefined();

      // The processor stands still while the events are accepted, and until the demo's stop has sent it
      // SIGTERM: at that moment it has read none of them.
      process.kill(processor!, 'SIGSTOP');
      const accepted = await trackThroughSdk(ingestUrl!, Array.from({ length: 30 }, (_, i) => `clicked_${i}`));
      expect(accepted).toHaveLength(30);
      process.kill(-demo.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
      await waitFor('the stop to reach the processor', () => sigtermPending(processor!), 60_000);
      process.kill(processor!, 'SIGCONT');

      const [code] = (await closed) as [number | null];
      const output = lines.join('\n');
      expect(code, output).toBe(0);
      expect(Object.values(pids).filter(isAlive)).toEqual([]);
      // Right after the stop, no restart: the lake has them all, once each.
      expect(await lakeIds(join(dir, 'lake')), output).toEqual([...accepted].sort());
      expect(output).not.toContain('not in the lake yet');
    } finally {
      if (pids.processor && isAlive(pids.processor)) process.kill(pids.processor, 'SIGCONT');
      if (demo.exitCode === null) await stopChild(demo, 1_000);
      for (const pid of Object.values(pids).filter(isAlive)) process.kill(pid, 'SIGKILL'); // only if the test failed
    }
  });

  it('says how many accepted records the processor left unread in the streams, and the next start delivers them', async () => {
    const dir = tempDir('left');
    const notes: string[] = [];
    const first = await startPipeline({ dataDir: dir, engine: 'kinesalite', onStopNote: (note) => notes.push(note) });
    let accepted: string[] = [];
    try {
      const processor = first.services.find((s) => s.name === 'processor');
      if (!processor) throw new Error('no processor');
      process.kill(processor.pid, 'SIGSTOP');
      accepted = await trackThroughSdk(first.ingestUrl, Array.from({ length: 12 }, (_, i) => `left_${i}`));
      expect(accepted).toHaveLength(12);
      process.kill(processor.pid, 'SIGKILL'); // it can read nothing more: what it left is all of them
    } finally {
      await first.stop();
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^12 events are not in the lake yet: the processor's stop failed \(ended by SIGKILL\): they may have been read but not delivered\. They are kept in the streams, and the next `npm run demo` reads them into the lake before its ingest starts\.$/);
    expect(await lakeIds(first.lakeDir)).toEqual([]);

    const second = await startPipeline({ dataDir: dir, engine: 'kinesalite', onStopNote: (note) => notes.push(note) });
    try {
      expect(await lakeIds(second.lakeDir)).toEqual([...accepted].sort()); // the backlog, read before the ingest started
    } finally {
      await second.stop();
    }
    expect(notes).toHaveLength(1); // nothing left this time: nothing said
  });
});
