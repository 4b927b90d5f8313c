import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisEngine } from '@eventline/devstack';
import { runQuery } from '@eventline/processor';
import { createEventline } from '@eventline/sdk/node';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline } from '../src';
import { dataLayout, migrateSharedLayout } from '../src/data-layout';
import { waitForLake } from './lake';

const dirs: string[] = [];
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `eventline-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** One demo run on `engine`: `count` events through the SDK, until the lake has them; resolves with their ids. */
async function run(dataDir: string, engine: KinesisEngine, count: number): Promise<string[]> {
  const pipeline = await startPipeline({ dataDir, engine });
  try {
    const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
    const accepted: string[] = [];
    sdk.on('sent', (n) => accepted.push(...n.acceptedIds));
    for (let i = 0; i < count; i++) sdk.track('af_content_view', { n: i, engine });
    await sdk.close();
    expect(accepted).toHaveLength(count);
    const list = accepted.map((id) => `'${id}'`).join(', ');
    await waitForLake<{ n: number }>(pipeline.lakeDir, `select count(*) as n from events where event_id in (${list})`, (r) => r[0]!.n >= count);
    return accepted;
  } finally {
    await pipeline.stop();
  }
}

describe('switching KINESIS_ENGINE between demo runs on one data folder', () => {
  it('delivers the events of both runs into the one lake (each engine keeps its own stream data and checkpoints)', async () => {
    const dataDir = tempDir('engine-switch');
    // kinesis-local first: its checkpoint made the next kinesalite run retry GetShardIterator forever.
    const first = await run(dataDir, 'kinesis-local', 10);
    const second = await run(dataDir, 'kinesalite', 10);
    const rows = await runQuery(join(dataDir, 'lake'), 'select event_id from events');
    expect(rows.map((r) => r.event_id).sort()).toEqual([...first, ...second].sort()); // all, once each
    expect(readdirSync(dataDir).sort()).toEqual(['demo-lock', 'kinesalite', 'kinesis-local', 'lake', 'seen-index']);
  });
});

describe('a data folder of the shared layout (before one folder per engine)', () => {
  const legacy = (files: string[]): string => {
    const dir = tempDir('legacy');
    mkdirSync(join(dir, 'kinesis'));
    mkdirSync(join(dir, 'checkpoints.seen'));
    for (const file of files) writeFileSync(join(dir, 'kinesis', file), '');
    writeFileSync(join(dir, 'checkpoints.json'), '{}');
    writeFileSync(join(dir, 'events-bad.json'), '{}');
    return dir;
  };

  it("moves one engine's stream data together with its checkpoints, and the seen index next to the lake", () => {
    const dir = legacy(['CURRENT', 'LOCK', 'MANIFEST-000004']);
    expect(migrateSharedLayout(dir)).toEqual([expect.stringContaining('moved the kinesalite stream data and checkpoints')]);
    const layout = dataLayout(dir, 'kinesalite');
    expect(existsSync(join(layout.emulatorDir, 'CURRENT'))).toBe(true);
    expect(existsSync(layout.checkpointFile)).toBe(true);
    expect(existsSync(join(layout.engineDir, 'checkpoints', 'events-bad.json'))).toBe(true);
    expect(existsSync(layout.seenDir)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['kinesalite', 'seen-index']);
    expect(migrateSharedLayout(dir)).toEqual([]); // once
  });

  it('sets aside data both engines wrote: no engine starts on checkpoints that may be the other one’s', () => {
    const dir = legacy(['CURRENT', 'kinesis-data.json']);
    expect(migrateSharedLayout(dir)).toEqual([expect.stringContaining('set aside the shared Kinesis data and checkpoints')]);
    expect(readdirSync(join(dir, 'legacy-shared-kinesis')).sort()).toEqual(['checkpoints.json', 'events-bad.json', 'kinesis']);
    expect(readdirSync(dir).sort()).toEqual(['legacy-shared-kinesis', 'seen-index']);
  });
});
