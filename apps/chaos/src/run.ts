import { setTimeout as sleep } from 'node:timers/promises';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserSender } from './browser-sender';
import { ChaosRunError, runCleanup } from './cleanup';
import { injectFaults } from './faults';
import { readLake } from './lake-read';
import { watchLake, type LakeWatch } from './lake-watch';
import { createLedger } from './ledger';
import { createNodeSender } from './node-sender';
import { createNoticeTally } from './notices';
import type { ChaosPlan } from './plan';
import { putGarbage } from './raw-producer';
import { problems, reconcile, type Reconciliation } from './reconcile';
import { watchRss } from './rss';
import { startShopSite } from './shop-site';
import { startStack, STREAMS, WRITE_KEY } from './stack';
import { countStreamCopies, streamProblems, type StreamCopies } from './stream-copies';

export interface ChaosResult {
  plan: ChaosPlan;
  reconciliation: Reconciliation;
  /** Copies of each tracked event in the events stream, read after the clients closed. */
  streamCopies: StreamCopies | undefined;
  /** Peak RSS (VmHWM) per service over all its processes, MiB. */
  rssMiB: Record<string, number>;
  faults: { ingestKills: number; processorKills: number; outageMs: number; throttledEntries: number };
  sdk: { drops: Record<string, number>; errors: number; unexpectedDrops: string[]; senders: ReadonlyMap<string, string> };
  /** Load + drain + shutdown, ms. */
  durationMs: number;
  /** Empty when the run passed. */
  problems: string[];
  /** Kept when the run failed (the lake, Kinesis data and services.log), else removed. */
  dataDir: string;
}


/**
 * The accounting run: the real pipeline under the plan's faults, fed by the SDK in Chromium and in
 * Node (and a broken producer), then every tracked event looked up in the lake.
 */
export async function runChaos(plan: ChaosPlan, log: (line: string) => void = () => undefined): Promise<ChaosResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `eventline-chaos-${plan.name}-`));
  const serviceLog = join(dataDir, 'services.log');
  const rss = watchRss();
  const ledger = createLedger();
  const notices = createNoticeTally();
  const invalidEvery = plan.invalidShare > 0 ? Math.round(1 / plan.invalidShare) : 0;
  const cleanup: (() => Promise<void>)[] = [];
  let passed = false;
  let lakeWatch: LakeWatch | undefined;
  let streamCopies: StreamCopies | undefined;
  try {
    const stack = await startStack({
      dataDir,
      engine: plan.engine,
      bufferMaxMs: plan.bufferMaxMs,
      rss,
      onLine: (service, line) => appendFileSync(serviceLog, `[${service}] ${line}\n`),
    });
    cleanup.push(() => stack.stop());
    // Runs after the clients closed (cleanup goes in reverse), before Kinesis stops.
    cleanup.push(async () => void (streamCopies = await countStreamCopies(stack.kinesis.endpoint, STREAMS.events, ledger.events)));
    const site = await startShopSite(stack.ingestUrl, WRITE_KEY);
    cleanup.push(() => site.stop());
    const trace = (line: string) => appendFileSync(serviceLog, `[harness] ${new Date().toISOString()} ${line}\n`);
    const browser = await startBrowserSender({ siteUrl: site.url, ingestUrl: stack.ingestUrl, burst: plan.browser.burst, invalidEvery, ledger, notices, log, trace });
    cleanup.push(() => browser.close());
    const node = createNodeSender({ ingestUrl: stack.ingestUrl, writeKey: WRITE_KEY, ...plan.node, invalidEvery, ledger, notices });
    cleanup.push(() => node.close());
    lakeWatch = watchLake(join(stack.lakeDir, 'events'));

    const t0 = Date.now();
    log(`load: ${plan.loadMs / 1000} s, ingest ${stack.ingestUrl} (pid ${stack.ingest.pid}), processor pid ${stack.processor.pid}, ${stack.kinesis.engine} pid ${stack.kinesis.pid}`);
    const garbage = sleep(plan.loadMs / 2).then(() => putGarbage(stack.kinesis.endpoint, STREAMS.events, plan.rawGarbage, ledger));
    await Promise.all([
      node.run(t0 + plan.loadMs),
      browser.run(t0 + plan.loadMs),
      garbage,
      injectFaults({ plan, proxy: stack.proxy, ingest: stack.ingest, processor: stack.processor, rss, t0, log }),
    ]);
    log(`load over after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${ledger.events.size} events tracked; draining`);

    const drainEnd = Date.now() + plan.drainTimeoutMs;
    let missing = ledger.events.size;
    while (Date.now() < drainEnd) {
      lakeWatch.scan();
      missing = reconcile(ledger.events, await readLake(stack.lakeDir), lakeWatch.firstSeen).missing.length;
      if (missing === 0) break;
      await sleep(2000);
    }
    log(`drained after ${((Date.now() - t0) / 1000).toFixed(1)} s (${missing} still missing); stopping senders and services`);
    // Whatever the clients still hold goes out now (a resend shows up as a duplicate), then the
    // services stop gracefully: the processor flushes its buffers.
    const stopErrors = await runCleanup(cleanup);
    if (stopErrors.length > 0) throw new AggregateError(stopErrors, `${stopErrors.length} step(s) of stopping the run failed`);
    lakeWatch.stop();
    const reconciliation = reconcile(ledger.events, await readLake(stack.lakeDir), lakeWatch.firstSeen);
    rss.stop();
    const rssMiB = rss.peaks();
    const overLimit = Object.entries(plan.rssLimitMiB)
      .filter(([service, limit]) => (rssMiB[service] ?? 0) > limit)
      .map(([service, limit]) => `${service} peak RSS ${rssMiB[service]} MiB over its ${limit} MiB bound`);
    const result: ChaosResult = {
      plan,
      reconciliation,
      streamCopies,
      rssMiB,
      faults: { ingestKills: stack.ingest.kills, processorKills: stack.processor.kills, outageMs: plan.outage.forMs, throttledEntries: stack.proxy.stats.failedEntries },
      sdk: { drops: notices.drops, errors: notices.errors, unexpectedDrops: notices.unexpectedDrops, senders: notices.senders },
      durationMs: Date.now() - t0,
      problems: [
        ...problems(reconciliation),
        // Read in the cleanup above: undefined only if that step failed, which threw already.
        ...(streamCopies ? streamProblems(streamCopies, reconciliation) : ['the events stream was not read']),
        ...overLimit,
        ...(notices.unexpectedDrops.length > 0 ? [`the SDKs dropped ${notices.unexpectedDrops.length} events (${Object.keys(notices.drops).join(', ')})`] : []),
      ],
      dataDir,
    };
    passed = result.problems.length === 0;
    return result;
  } catch (error) {
    throw new ChaosRunError(`the chaos run failed: ${error instanceof Error ? error.message : String(error)}`, dataDir, { cause: error });
  } finally {
    // Left only when the run threw before its own stop: the error above is the one to report.
    for (const error of await runCleanup(cleanup)) log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
    lakeWatch?.stop();
    rss.stop();
    if (passed) rmSync(dataDir, { recursive: true, force: true });
  }
}
