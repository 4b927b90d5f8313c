import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService } from '../src';

const PARENT = new URL('./fixtures/spawn-parent.mjs', import.meta.url).pathname;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('spawnService', () => {
  it('a service whose parent is killed -9 stops gracefully: its own SIGTERM path runs to the end, though nobody reads its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventline-orphan-'));
    const marker = join(dir, 'stopped');
    const parent = spawn(process.execPath, [PARENT], { env: { ...process.env, MARKER: marker }, stdio: ['ignore', 'pipe', 'inherit'] });
    let pid = 0;
    try {
      for await (const line of createInterface({ input: parent.stdout })) {
        pid = Number(line);
        break;
      }
      expect(isAlive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await once(parent, 'exit');
      await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);
      // Finished its stop (the marker is written after the log line that hit the closed pipe).
      expect(existsSync(marker) && readFileSync(marker, 'utf8')).toBe('stopped');
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL'); // only if the test failed
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spawnService stop()', () => {
  const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

  it('says it sent the SIGKILL when the grace ran out, and not when the service exited on SIGTERM', async () => {
    const stubborn = await spawnService({ name: 'stubborn', entry: fixture('stubborn-service.mjs'), env: {}, ready: (r) => r.msg === 'ready', stopGraceMs: 300 });
    expect(await stubborn.stop()).toEqual({ code: null, signal: 'SIGKILL', killedAfterGraceMs: 300 });
    const polite = await spawnService({ name: 'polite', entry: fixture('env-service.mjs'), env: {}, ready: (r) => r.msg === 'ready' });
    expect(await polite.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('spawnService environment', () => {
  const shell = { S3_BUCKET: 'a-real-bucket', INGEST_METRICS: 'off', LC_ALL: 'C.UTF-8', NODE_OPTIONS: '--max-old-space-size=512' };
  const saved = Object.fromEntries(Object.keys(shell).map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("passes the shell's basics (INHERITED_ENV) and what the caller sets, and no other variable of the shell", async () => {
    Object.assign(process.env, shell);
    const service = await spawnService({
      name: 'env',
      entry: new URL('./fixtures/env-service.mjs', import.meta.url).pathname,
      env: { STREAM_NAME: 'events' },
      ready: (record) => record.msg === 'ready',
    });
    await service.stop();
    const env = service.readyRecord.env as Record<string, string>;
    expect(env).not.toHaveProperty('S3_BUCKET');
    expect(env).not.toHaveProperty('INGEST_METRICS');
    expect(env).toMatchObject({ STREAM_NAME: 'events', LC_ALL: 'C.UTF-8', NODE_OPTIONS: '--max-old-space-size=512', PATH: process.env.PATH });
  });
});
