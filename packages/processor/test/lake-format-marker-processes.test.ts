import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LAKE_FORMAT_MARKER } from '../src';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const CHILD = fileURLToPath(new URL('./fixtures/claim-marker-child.ts', import.meta.url));
const FORMATS = ['parquet', 'ndjson', 'parquet', 'ndjson'] as const;
const ROUNDS = 200;

interface Outcome {
  round: number;
  outcome: string;
}

/** The claimers, each its own process, ready (its signal handler installed). */
async function startClaimers(root: string): Promise<{ children: ChildProcess[]; outcomes: Outcome[][] }> {
  const outcomes: Outcome[][] = FORMATS.map(() => []);
  const children = FORMATS.map((format, i) => {
    const child = fork(CHILD, [root, format], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (message: Outcome | { ready: true }) => void ('round' in message && outcomes[i]!.push(message)));
    return child;
  });
  await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`claimer exited ${code} before it was ready`)));
  })));
  return { children, outcomes };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
}

// Real processes on two or more cores, released by one signal each, back to back: the race is
// between processes, as between two processors (or a supervisor's restart) started on one lake.
describe('the lake-format marker claimed by several processes at the same moment', () => {
  for (const leftover of ['no marker (a new lake)', 'an empty marker left by an older version']) {
    it(`${leftover}, ${ROUNDS} rounds of ${FORMATS.length} processes (two per format): one format wins each round, every claim agrees with the marker, none fails otherwise`, async () => {
      const root = await dirs.make();
      const emptyLeftover = leftover.startsWith('an empty');
      for (let n = 0; n < ROUNDS; n += 1) {
        await mkdir(join(root, `round-${n}`));
        if (emptyLeftover) await writeFile(join(root, `round-${n}`, LAKE_FORMAT_MARKER), '');
      }
      const { children, outcomes } = await startClaimers(root);
      const problems: string[] = [];
      try {
        for (let n = 0; n < ROUNDS; n += 1) {
          for (const child of children) child.kill('SIGUSR2');
          await until(() => outcomes.every((list) => list.length > n));
          const lake = join(root, `round-${n}`);
          const marker = (JSON.parse(await readFile(join(lake, LAKE_FORMAT_MARKER), 'utf8')) as { output_format: string }).output_format;
          FORMATS.forEach((format, i) => {
            const { outcome } = outcomes[i]![n]!;
            const expected = format === marker ? 'claimed' : 'conflict';
            if (outcome !== expected) problems.push(`round ${n}: a ${format} start got ${outcome}, the marker says ${marker}`);
          });
          // No temp file left, nor the claim file that decided the empty leftover's replacement.
          const names = (await readdir(lake)).sort();
          if (names.join() !== LAKE_FORMAT_MARKER) problems.push(`round ${n}: the lake folder holds ${names.join(', ')}`);
        }
      } finally {
        for (const child of children) child.disconnect();
      }
      expect(problems).toEqual([]);
      // 200 rounds of four processes took 28–38 s on the shared 2-core machine under load: a bound, not a timing.
    }, 180_000);
  }
});
