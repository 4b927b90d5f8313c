import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAlive, stopChild, waitFor } from '@eventline/devstack';
import { runQuery } from '@eventline/processor';
import { afterAll, describe, expect, it } from 'vitest';

const START = new URL('../dist/start.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run demo (dist/start.js)', () => {
  it('prints the URLs, serves the page with the SDK, and Ctrl-C stops every process', async () => {
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const banner: string[] = [];
    for await (const line of createInterface({ input: demo.stdout })) {
      banner.push(line);
      if (line.includes('Ctrl-C stops everything')) break;
    }
    const text = banner.join('\n');
    const pageUrl = /Demo page\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const ingestUrl = /Ingest\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const pids = [...text.matchAll(/(\w+)=(\d+)/g)].map((m) => Number(m[2]));
    expect(pageUrl).toBeDefined();
    expect(ingestUrl).toBeDefined();
    expect(pids).toHaveLength(3);
    expect(pids.every(isAlive)).toBe(true);

    const page = await (await fetch(pageUrl!)).text();
    expect(page).toContain('"/sdk/eventline.iife.js"'); // the inlined snippet loads the SDK from there
    expect(page).not.toContain('/*EVENTLINE_SNIPPET*/');
    const sdk = await fetch(`${pageUrl}/sdk/eventline.iife.js`);
    expect(sdk.headers.get('content-type')).toContain('javascript');
    expect(await sdk.text()).toContain('eventline');
    const config = await (await fetch(`${pageUrl}/config.js`)).text();
    expect(config).toContain(ingestUrl);
    expect((await fetch(`${ingestUrl}/readyz`)).status).toBe(200);

    // A second demo on the same folder says so and starts nothing (it used to die on a LevelDB LOCK stack).
    const second = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let secondOut = '';
    second.stdout.on('data', (chunk: Buffer) => void (secondOut += chunk.toString()));
    second.stderr.on('data', (chunk: Buffer) => void (secondOut += chunk.toString()));
    const [secondCode] = (await once(second, 'close')) as [number | null];
    expect(secondCode).toBe(1);
    expect(secondOut).toContain(`another demo is using ${dataDir}: stop it or set EVENTLINE_DATA_DIR`);
    expect(secondOut).not.toContain('Processes');
    expect((await fetch(`${ingestUrl}/readyz`)).status).toBe(200);

    demo.kill('SIGINT');
    const [code] = (await once(demo, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('Ctrl-C while seeding stops the seeding, then every process in order (exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-demo-seed-'));
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir, DEMO_SEED: '100000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    createInterface({ input: demo.stdout }).on('line', (line) => lines.push(line));
    const closed = once(demo, 'close'); // exited, and its output read to the end
    try {
      await waitFor('the demo to start seeding', () => lines.some((line) => line.includes('Seeding 100000')), 60_000);
      const pids = [...lines.join('\n').matchAll(/(\w+)=(\d+)/g)].map((m) => Number(m[2]));
      expect(pids).toHaveLength(3);
      demo.kill('SIGINT');
      const [code] = (await closed) as [number | null];
      expect(code).toBe(0);
      expect(lines.join('\n')).toMatch(/Stopping …\n {2}Seeded \d+ of 100000 \(stopped\) synthetic shoppers/);
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      if (demo.exitCode === null) await stopChild(demo, 1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a terminal's Ctrl-C (SIGINT to the whole process group) while seeding loses nothing: the demo stops the services in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-demo-group-'));
    // detached: the demo leads its own process group, as a shell's foreground job does.
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir, DEMO_SEED: '100000' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const lines: string[] = [];
    createInterface({ input: demo.stdout }).on('line', (line) => lines.push(line));
    createInterface({ input: demo.stderr }).on('line', (line) => lines.push(line));
    const closed = once(demo, 'close');
    let pids: number[] = [];
    try {
      await waitFor('the demo to start seeding', () => lines.some((line) => line.includes('Seeding 100000')), 60_000);
      pids = [...lines.join('\n').matchAll(/(\w+)=(\d+)/g)].map((m) => Number(m[2]));
      expect(pids).toHaveLength(3);
      await new Promise((r) => setTimeout(r, 1_500)); // some shoppers sent, one under way
      process.kill(-demo.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
      const [code] = (await closed) as [number | null];
      const output = lines.join('\n');
      expect(code, output).toBe(0);
      const seeded = / {2}Seeded \d+ of 100000 \(stopped\) synthetic shoppers: (\d+) events accepted(.*)/.exec(output);
      expect(seeded, output).not.toBeNull();
      expect(seeded![2], 'no problems reported').toBe('');
      expect(pids.filter(isAlive)).toEqual([]);
      // Every accepted event is kept: at the stop the processor reads the streams on to their tip (for
      // at most 10 s), so they are in the lake, but for any the demo says it left for the next run ...
      const left = Number(/ {2}([\d,]+) events? (?:and [\d,]+ rejected-event records? )?(?:is|are) not in the lake yet/.exec(output)?.[1]?.replaceAll(',', '') ?? 0);
      const [atStop] = (await runQuery(join(dir, 'lake'), 'SELECT count(*)::INTEGER AS n FROM events')) as { n: number }[];
      expect((atStop?.n ?? 0) + left, output).toBe(Number(seeded![1]));
      // ... which reads them from the stream before its ingest starts (the backlog): the lake then holds all of them.
      const again = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        for await (const line of createInterface({ input: again.stdout })) if (line.includes('Ctrl-C stops everything')) break;
        const [row] = (await runQuery(join(dir, 'lake'), 'SELECT count(*)::INTEGER AS n FROM events')) as { n: number }[];
        expect(row?.n).toBe(Number(seeded![1]));
      } finally {
        again.kill('SIGINT');
        if (again.exitCode === null) await once(again, 'exit');
      }
    } finally {
      if (demo.exitCode === null) await stopChild(demo, 1_000);
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL'); // only if the test failed
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 of the demo leaves no orphan: the emulator, processor and ingest exit when their stdin pipe closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-demo-kill-'));
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let pids: number[] = [];
    try {
      const banner: string[] = [];
      for await (const line of createInterface({ input: demo.stdout })) {
        banner.push(line);
        if (line.includes('Ctrl-C stops everything')) break;
      }
      pids = [...banner.join('\n').matchAll(/(\w+)=(\d+)/g)].map((m) => Number(m[2]));
      expect(pids).toHaveLength(3);
      expect(pids.every(isAlive)).toBe(true);

      demo.kill('SIGKILL'); // no handler runs: only the closed pipes tell the children
      await once(demo, 'exit');
      await waitFor('every child of the killed demo to exit', () => !pids.some(isAlive), 60_000);
    } finally {
      if (demo.exitCode === null) await stopChild(demo, 1_000);
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL'); // only if the test failed
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the page on the last run\'s port (its origin: the offline queue, the device id), and says so when that port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-demo-port-'));
    const run = async (): Promise<{ port: number; banner: string }> => {
      const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir, DEMO_PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const banner: string[] = [];
        for await (const line of createInterface({ input: demo.stdout })) {
          banner.push(line);
          if (line.includes('Ctrl-C stops everything')) break;
        }
        const port = Number(/Demo page\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(banner.join('\n'))?.[1]);
        return { port, banner: banner.join('\n') };
      } finally {
        demo.kill('SIGINT');
        if (demo.exitCode === null) await once(demo, 'exit');
      }
    };
    const blocker = createServer();
    try {
      const first = await run();
      expect(first.port).toBeGreaterThan(0);
      const second = await run();
      expect(second.port).toBe(first.port);
      expect(second.banner).not.toContain('new origin');

      // Something else took the port meanwhile: a free one, and the console says what that costs.
      await new Promise<void>((resolve) => blocker.listen(first.port, '127.0.0.1', resolve));
      const third = await run();
      expect(third.port).not.toBe(first.port);
      expect(third.banner).toContain(`The last run's port ${first.port} is in use, so the demo page moved to port ${third.port}: a new origin.`);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a busy DEMO_PORT is said before anything starts, with the way out (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir, DEMO_PORT: String(busy) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      demo.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      demo.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      const [code] = (await once(demo, 'close')) as [number | null];
      expect(code).toBe(1);
      expect(output).toContain(`DEMO_PORT=${busy}: port ${busy} on 127.0.0.1 is in use; set another DEMO_PORT, or DEMO_PORT=0 for a free one`);
      expect(output).not.toContain('Starting eventline demo');
    } finally {
      blocker.close();
    }
  });

  it('a data folder it cannot create names the nearest existing parent that is not writable (exit 1)', async () => {
    // /proc takes no new folders, not even root's: Node's recursive mkdir says only "ENOENT … mkdir".
    const dir = '/proc/eventline-demo-test/data';
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const [code] = (await once(demo, 'close')) as [number | null];
    expect(code).toBe(1);
    expect(output).toContain(`cannot use the data folder ${dir}: its nearest existing parent /proc is not writable`);
    expect(output).toContain('set EVENTLINE_DATA_DIR to a folder you can write');
    expect(output).not.toContain('Starting eventline demo');
  });

  it('refuses a DEMO_PORT or DEMO_SEED that is not a number before it starts anything (exit 2)', async () => {
    const demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir, DEMO_PORT: 'abc', DEMO_SEED: 'abc' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const [code] = (await once(demo, 'close')) as [number | null];
    expect(code).toBe(2);
    expect(output).toContain('DEMO_PORT must be a port number');
    expect(output).toContain('DEMO_SEED must be a number of shoppers');
    expect(output).not.toContain('Starting eventline demo');
  });

  it('resolves a relative EVENTLINE_DATA_DIR against INIT_CWD (where npm run was typed), as npm run query does', async () => {
    const initCwd = mkdtempSync(join(tmpdir(), 'eventline-init-cwd-'));
    // As npm runs it: the workspace folder as cwd, INIT_CWD the folder the command was typed in.
    const demo = spawn(process.execPath, [START], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, EVENTLINE_DATA_DIR: 'my-data', INIT_CWD: initCwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const banner: string[] = [];
      for await (const line of createInterface({ input: demo.stdout })) {
        banner.push(line);
        if (line.includes('Ctrl-C stops everything')) break;
      }
      expect(banner.join('\n')).toContain(`data in ${join(initCwd, 'my-data')})`);
      // Not the default lake: the query line says which one (npm run query reads LAKE_DIR).
      expect(banner.join('\n')).toContain(`Query            LAKE_DIR=${join(initCwd, 'my-data', 'lake')} npm run query -- "select`);
      expect(existsSync(join(initCwd, 'my-data', 'lake'))).toBe(true);
      expect(existsSync(new URL('../my-data', import.meta.url).pathname)).toBe(false);
    } finally {
      demo.kill('SIGINT');
      if (demo.exitCode === null) await once(demo, 'exit');
      rmSync(initCwd, { recursive: true, force: true });
    }
  });
});
