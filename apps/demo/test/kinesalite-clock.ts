import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Pipeline } from '../src';
import { trackThroughSdk } from './track-through-sdk';

/** A day and an hour: past the stream's retention (24 h). */
export const DAY_AND_AN_HOUR_MS = 25 * 3600 * 1000;

/**
 * kinesalite trims by its own clock, read at each GetRecords: a preload (in the emulator only; the
 * ingest and processor keep their clocks) adds the milliseconds written in a file, so `jump` makes a
 * day pass at once. `withPreload` starts what it runs with the preload in NODE_OPTIONS, one of the
 * variables every child inherits (devstack's INHERITED_ENV), and puts NODE_OPTIONS back after.
 */
export interface KinesaliteClock {
  withPreload<T>(run: () => Promise<T>): Promise<T>;
  jump(ms: number): void;
}

export function kinesaliteClock(dir: string): KinesaliteClock {
  const offsetFile = join(dir, 'clock-offset-ms');
  const preload = join(dir, 'clock-jump.cjs');
  writeFileSync(
    preload,
    `if (process.argv[1] && process.argv[1].endsWith('kinesalite-child.js')) {
  const { readFileSync } = require('node:fs');
  const realNow = Date.now;
  const offset = () => { try { return Number(readFileSync(${JSON.stringify(offsetFile)}, 'utf8')) || 0; } catch { return 0; } };
  Date.now = () => realNow() + offset();
}
`,
  );
  return {
    async withPreload(run) {
      const nodeOptions = process.env.NODE_OPTIONS;
      process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --require ${preload}`.trim();
      try {
        return await run();
      } finally {
        if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
        else process.env.NODE_OPTIONS = nodeOptions;
      }
    },
    jump(ms) {
      writeFileSync(offsetFile, String(ms));
    },
  };
}

/**
 * The processor stands still (as when it fails for a day) while `ids` are tracked and written, and
 * the emulator's clock passes the retention before it goes on: those records are trimmed unread.
 */
export async function loseToRetention(pipeline: Pipeline, clock: KinesaliteClock, ids: string[]): Promise<void> {
  const processor = pipeline.services.find((s) => s.name === 'processor');
  if (!processor) throw new Error('no processor');
  process.kill(processor.pid, 'SIGSTOP');
  try {
    expect(await trackThroughSdk(pipeline.ingestUrl, ids)).toHaveLength(ids.length);
    clock.jump(DAY_AND_AN_HOUR_MS);
  } finally {
    process.kill(processor.pid, 'SIGCONT');
  }
}
