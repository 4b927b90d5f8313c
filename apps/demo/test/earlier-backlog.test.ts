import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumLaunchOptions, waitFor } from '@eventline/devstack';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline, startWebServer, type Pipeline } from '../src';
import { dataLayout } from '../src/data-layout';
import { processorStatus } from '../src/processor-status';
import { pipelineStatusRoutes, type PipelineStatus } from '../src/pipeline-status';
import { DAY_AND_AN_HOUR_MS, kinesaliteClock, loseToRetention } from './kinesalite-clock';
import { trackThroughSdk } from './track-through-sdk';

// The ingest counts from its own start; the processor resumes from its checkpoint and also reads what
// an earlier run wrote and never read. The demo counts that backlog before the processor starts and
// lets the processor get through it before the ingest starts; the accounting subtracts what the
// processor had counted by then (README, src/backlog.ts).
const dirs: string[] = [];
let pipeline: Pipeline | undefined;

afterAll(async () => {
  await pipeline?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Run 1: the processor stands still while `ids` are written, then is killed unread. */
async function leaveBacklog(ids: string[], start: () => Promise<Pipeline>): Promise<void> {
  pipeline = await start();
  const processor = pipeline.services.find((s) => s.name === 'processor');
  if (!processor) throw new Error('no processor');
  process.kill(processor.pid, 'SIGSTOP');
  expect(await trackThroughSdk(pipeline.ingestUrl, ids)).toHaveLength(ids.length);
  process.kill(processor.pid, 'SIGKILL');
  await pipeline.stop();
  pipeline = undefined;
}

function statusOf(p: Pipeline): { status: () => Promise<PipelineStatus>; close: () => Promise<void> } {
  const view = pipelineStatusRoutes({ ingestUrl: p.ingestUrl, lakeDir: p.lakeDir, processorMetricsUrl: p.processorMetricsUrl, backlog: p.backlog });
  return { status: async () => (await (await view.app.request('/api/pipeline')).json()) as PipelineStatus, close: view.close };
}

/** The accounting line of the demo page (Chromium), once it holds `text`. */
async function lineOnPage(p: Pipeline, text: string): Promise<string> {
  const web = await startWebServer({
    port: 0,
    ingestUrl: p.ingestUrl,
    writeKey: DEMO_WRITE_KEY,
    lakeDir: p.lakeDir,
    processorMetricsUrl: p.processorMetricsUrl,
    backlog: p.backlog,
  });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(web.url);
    await page.waitForFunction((t) => (document.getElementById('accounting')?.textContent ?? '').includes(t), text, { timeout: 30_000 });
    return (await page.textContent('#accounting')) ?? '';
  } finally {
    await browser.close();
    web.server.close();
  }
}

describe("an earlier run's backlog", () => {
  it('is read and flushed before the ingest starts and kept out of the line, which says how many records it held', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-backlog-'));
    dirs.push(dataDir);
    const demoDir = join(dataDir, 'demo');
    const start = (): Promise<Pipeline> => startPipeline({ dataDir: demoDir, engine: 'kinesalite', bufferMaxMs: 200 });
    await leaveBacklog(['backlog_1', 'backlog_2', 'backlog_3'], start);

    // Run 2, same data folder: the processor delivered run 1's three before its ingest started; this run wrote none.
    pipeline = await start();
    expect(pipeline.backlog).toEqual({ records: 3, baseline: { read: 3, delivered: 3, duplicates: 0, bad_rows: 0 } });
    const view = statusOf(pipeline);
    try {
      expect((await view.status()).accounting).toEqual({ written: 0, delivered: 0, duplicates: 0, bad_rows: 0, held: 0, not_read: 0, in_flight: 0 });
      expect((await view.status()).processor?.rows_delivered).toBe(3);

      // The live view says what the line leaves out (Chromium on the demo page).
      expect(await lineOnPage(pipeline, 'Not in this line')).toBe(
        'written 0 = delivered 0 + duplicates 0 + bad rows 0 + held by the processor 0 + not read 0. Not in this line: 3 records earlier runs left unread, which the processor read at start (3 delivered, 0 duplicates, 0 bad rows)',
      );
    } finally {
      await view.close();
      await pipeline.stop();
      pipeline = undefined;
    }
  });

  it('is counted as the processor reads it on kinesis-local too (its own emulator of GetRecords)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-backlog-kl-'));
    dirs.push(dataDir);
    const start = (): Promise<Pipeline> => startPipeline({ dataDir: join(dataDir, 'demo'), engine: 'kinesis-local', bufferMaxMs: 200 });
    await leaveBacklog(['backlog_1', 'backlog_2', 'backlog_3', 'backlog_4'], start);
    pipeline = await start();
    expect(pipeline.backlog).toEqual({ records: 4, baseline: { read: 4, delivered: 4, duplicates: 0, bad_rows: 0 } });
    const view = statusOf(pipeline);
    try {
      expect((await view.status()).accounting).toEqual({ written: 0, delivered: 0, duplicates: 0, bad_rows: 0, held: 0, not_read: 0, in_flight: 0 });
    } finally {
      await view.close();
      await pipeline.stop();
      pipeline = undefined;
    }
  });

  it('that cannot be counted (a checkpoint of another stream instance) stays in the line, which says why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-backlog-uncounted-'));
    dirs.push(dataDir);
    const demoDir = join(dataDir, 'demo');
    const start = (): Promise<Pipeline> => startPipeline({ dataDir: demoDir, engine: 'kinesalite', bufferMaxMs: 200 });
    // Run 1 delivers two and checkpoints them; then the emulator's data goes (the streams made anew).
    pipeline = await start();
    const first = statusOf(pipeline);
    try {
      expect(await trackThroughSdk(pipeline.ingestUrl, ['one', 'two'])).toHaveLength(2);
      await waitFor('run 1 delivered', async () => ((await first.status()).processor?.rows_delivered ?? 0) >= 2, 60_000, 200);
    } finally {
      await first.close();
      await pipeline.stop();
      pipeline = undefined;
    }
    rmSync(dataLayout(demoDir, 'kinesalite').emulatorDir, { recursive: true, force: true });

    pipeline = await start();
    expect(pipeline.backlog).toMatchObject({ records: null, baseline: null });
    expect(pipeline.backlog.problem).toMatch(/^the backlog could not be counted: .*did not come from this stream/);
    try {
      expect(await lineOnPage(pipeline, 'unread records are in this line')).toContain(
        `. Earlier runs' unread records are in this line: ${pipeline.backlog.problem}`,
      );
    } finally {
      await pipeline.stop();
      pipeline = undefined;
    }
  });

  it('whose records the retention trims after the processor read them gives up saying so, the backlog kept in the line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-backlog-trimmed-'));
    dirs.push(dataDir);
    const clock = kinesaliteClock(dataDir);
    const demoDir = join(dataDir, 'demo');
    await leaveBacklog(['backlog_1', 'backlog_2', 'backlog_3'], () => clock.withPreload(() => startPipeline({ dataDir: demoDir, engine: 'kinesalite', bufferMaxMs: 200 })));

    // Run 2: the processor reads the three and holds them (a minute's buffer); once it has read them,
    // a day passes in the emulator, so the recount (after 15 s standing still, below) finds none of them.
    let metricsUrl: string | undefined;
    const jumped = new Promise<void>((resolve, reject) => {
      const readAll = async (): Promise<void> => {
        await waitFor('the processor to start', () => metricsUrl !== undefined, 60_000, 50);
        await waitFor('the processor to read the three', async () => (await processorStatus(metricsUrl!)).records_read_both_streams === 3, 60_000, 50);
        clock.jump(DAY_AND_AN_HOUR_MS);
      };
      readAll().then(resolve, reject);
    });
    pipeline = await clock.withPreload(() =>
      startPipeline({
        dataDir: demoDir,
        engine: 'kinesalite',
        bufferMaxMs: 60_000,
        // The jump must come before the recount: 15 s standing still (not the 2 s default) leaves a
        // loaded machine time to see the three read and move the clock.
        backlogTiming: { recountAfterMs: 15_000, giveUpAfterMs: 60_000 },
        onLine: (service, line) => {
          if (service === 'processor' && line.includes('"metrics_url"')) metricsUrl ??= /"metrics_url":"([^"]+)"/.exec(line)?.[1];
        },
      }),
    );
    await jumped;
    expect(pipeline.backlog).toMatchObject({ records: 0, baseline: null });
    expect(pipeline.backlog.problem).toBe(
      'the processor read more records than the streams held after its checkpoints (3 of 0: the count missed records, someone else wrote, or the retention trimmed records it had already read)',
    );
    await pipeline.stop();
    pipeline = undefined;
  });

  it('no longer hides a loss in this run: records the retention trims unread stay in "not read"', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-demo-backlog-loss-'));
    dirs.push(dataDir);
    const demoDir = join(dataDir, 'demo');
    const clock = kinesaliteClock(dataDir);
    const start = (): Promise<Pipeline> => clock.withPreload(() => startPipeline({ dataDir: demoDir, engine: 'kinesalite', bufferMaxMs: 200 }));
    await leaveBacklog(['backlog_1', 'backlog_2', 'backlog_3'], start);

    // Run 2: its processor delivers run 1's three, then this run loses three (trimmed unread) and delivers one.
    pipeline = await start();
    const view = statusOf(pipeline);
    try {
      await waitFor('run 1 backlog delivered', async () => ((await view.status()).processor?.rows_delivered ?? 0) >= 3, 60_000, 200);
      await loseToRetention(pipeline, clock, ['lost_1', 'lost_2', 'lost_3']);
      expect(await trackThroughSdk(pipeline.ingestUrl, ['fresh'])).toHaveLength(1);
      await waitFor('the fresh event delivered', async () => ((await view.status()).processor?.rows_delivered ?? 0) >= 4, 60_000, 200);

      // Before the baseline: written 4 = delivered 4 + … + not read 0, the backlog's three covering the three lost.
      const status = await view.status();
      expect(status.processor).toMatchObject({ records_read_both_streams: 4, rows_delivered: 4 });
      expect(status.accounting).toEqual({ written: 4, delivered: 1, duplicates: 0, bad_rows: 0, held: 0, not_read: 3, in_flight: 3 });
      expect(status.backlog).toEqual({ records: 3, baseline: { read: 3, delivered: 3, duplicates: 0, bad_rows: 0 } });
    } finally {
      await view.close();
    }
  });
});
