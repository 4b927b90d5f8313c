import { ensureStreams, isAlive, startKinesis, stopChild } from '@eventline/devstack';
import fc from 'fast-check';
import { ALLOWED_ORIGIN, fuzzCase, type FuzzCase } from './cases';
import { startIngest } from './ingest-child';
import { codeOf, judge } from './judge';
import { sampleRss } from './rss';
import { sendCase, type Answer } from './send';
import { validBatch, validEvent } from './valid';

export interface FuzzOptions {
  /** Generated requests to send (the flood comes on top). */
  count?: number;
  /** fast-check seed; the same seed sends the same cases. */
  seed?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Requests fired at once with one write key to go over its rate limit. */
  floodRequests?: number;
  /** The bound on the server's peak resident memory (VmHWM). */
  maxRssMiB?: number;
  /** The bound on RSS growth: the last quarter's median over the first quarter's peak. */
  maxGrowthMiB?: number;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export interface FuzzFailure {
  kind: string;
  why: string;
  path: string;
  bodyBytes: number;
  answer: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  seconds: number;
  engine: string;
  /** `status code` → count, e.g. `400 invalid_json`, `200`, `0 closed` (no answer to an incomplete request). */
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  flood: { sent: number; byStatus: Record<string, number> };
  failures: FuzzFailure[];
  failureCount: number;
  rss: { startMiB: number; peakMiB: number; firstQuarterPeakMiB: number; lastQuarterMedianMiB: number; boundMiB: number; growthBoundMiB: number };
  /** The server's own error log lines (an unhandled error would be one). */
  serverErrors: string[];
  exitCode: number | null;
  ok: boolean;
}

const KEYS = 64;
const CHUNK = 500;
const MIB = 1024;

/**
 * Bad input and abuse at scale against the real thing: the Node entry (dist/node.js) as a child process
 * writing to the default Kinesis emulator. Sends `count` generated requests (valid ones mixed in),
 * then a flood over one key's rate limit, sampling the server's RSS all along; judges every answer
 * (judge.ts) and returns the counts. Traffic is spread over 64 write keys so that only the flood
 * meets the rate limit (100 requests/s per key, burst 100).
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const count = options.count ?? 10_000;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const concurrency = options.concurrency ?? 16;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const kinesis = await startKinesis();
  try {
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }, { name: 'events-bad', shards: 1 }]);
    const keys = Array.from({ length: KEYS }, (_, i) => `fuzz_key_${i}`);
    const ingest = await startIngest({
      KINESIS_ENDPOINT: kinesis.endpoint,
      INGEST_WRITE_KEYS: [...keys.map((k) => `${k}=fuzz`), 'flood_key=flood'].join(','),
      INGEST_ALLOWED_ORIGINS: `fuzz=${ALLOWED_ORIGIN};flood=${ALLOWED_ORIGIN}`,
      INGEST_RATE_LIMIT_PER_SECOND: '100',
      INGEST_RATE_LIMIT_BURST: '100',
    });
    const pid = ingest.child.pid!;
    const exited = new Promise<number | null>((resolve) => ingest.child.once('exit', (code) => resolve(code)));
    const rss = sampleRss(pid);
    const report: FuzzReport = {
      seed, sent: 0, seconds: 0, engine: kinesis.engine, byStatus: {}, byKind: {}, flood: { sent: 0, byStatus: {} }, failures: [], failureCount: 0,
      rss: { startMiB: 0, peakMiB: 0, firstQuarterPeakMiB: 0, lastQuarterMedianMiB: 0, boundMiB: options.maxRssMiB ?? 512, growthBoundMiB: options.maxGrowthMiB ?? 128 },
      serverErrors: [], exitCode: null, ok: false,
    };
    const record = (c: FuzzCase, a: Answer) => {
      const label = a.status === 0 ? '0 closed' : `${a.status}${codeOf(a) ? ` ${codeOf(a)}` : ''}`;
      report.byStatus[label] = (report.byStatus[label] ?? 0) + 1;
      report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
      const why = judge(c, a);
      if (why === undefined) return;
      report.failureCount += 1;
      if (report.failures.length < 20) report.failures.push({ kind: c.kind, why, path: c.path, bodyBytes: c.body.byteLength, answer: JSON.stringify(a.body ?? a.error ?? '').slice(0, 300) });
    };
    try {
      report.rss.startMiB = (rss.samples[0]?.rssKiB ?? 0) / MIB;
      for (let from = 0; from < count; from += CHUNK) {
        // Chunks keep at most a few hundred generated bodies in memory (some are megabytes).
        const cases = fc.sample(fuzzCase, { numRuns: Math.min(CHUNK, count - from), seed: seed + from });
        await pool(cases, concurrency, async (c, i) => record(c, await sendCase(ingest.url, c, keys[(from + i) % KEYS]!)));
        report.sent += cases.length;
        log(`  ${report.sent}/${count} sent, ${report.failureCount} wrong answers, RSS ${Math.round((rss.samples.at(-1)?.rssKiB ?? 0) / MIB)} MiB`);
      }
      report.flood = await flood(ingest.url, options.floodRequests ?? 1000, record);
      if (!report.flood.byStatus['429 rate_limited']) fail(report, 'flood', 'no request of the flood was refused with 429');
      const after = await sendCase(ingest.url, { kind: 'after', path: '/v1/batch', headers: { 'content-type': 'application/json' }, body: Buffer.from(validBatch([validEvent('after', 0)])), auth: 'key', expect: [200], acceptAll: 1 }, keys[0]!);
      if (after.status !== 200 || !isAlive(pid)) fail(report, 'after', `the server does not take a valid request after the run (status ${after.status})`);
    } finally {
      const samples = rss.stop();
      await stopChild(ingest.child, 10_000);
      report.exitCode = await exited;
      summarizeRss(report, samples.map((s) => s.rssKiB / MIB), (samples.at(-1)?.hwmKiB ?? 0) / MIB);
    }
    report.serverErrors = ingest.lines.filter((l) => /"level":"error"/.test(l)).slice(0, 20);
    if (report.serverErrors.length > 0) fail(report, 'server', `the server logged ${report.serverErrors.length} errors`);
    if (report.exitCode !== 0) fail(report, 'server', `the server exited with ${report.exitCode} on SIGTERM (expected a clean 0)`);
    if (report.rss.peakMiB > report.rss.boundMiB) fail(report, 'memory', `peak RSS ${report.rss.peakMiB.toFixed(0)} MiB is over the ${report.rss.boundMiB} MiB bound`);
    if (report.rss.lastQuarterMedianMiB > report.rss.firstQuarterPeakMiB + report.rss.growthBoundMiB) fail(report, 'memory', 'RSS kept growing through the run');
    report.seconds = (Date.now() - started) / 1000;
    report.ok = report.failureCount === 0;
    return report;
  } finally {
    await kinesis.stop();
  }
}

function fail(report: FuzzReport, kind: string, why: string): void {
  report.failureCount += 1;
  report.failures.push({ kind, why, path: '', bodyBytes: 0, answer: '' });
}

function summarizeRss(report: FuzzReport, mib: number[], hwmMiB: number): void {
  const quarter = Math.max(1, Math.floor(mib.length / 4));
  const last = mib.slice(-quarter).sort((a, b) => a - b);
  report.rss.peakMiB = Math.max(hwmMiB, ...mib);
  report.rss.firstQuarterPeakMiB = Math.max(...mib.slice(0, quarter));
  report.rss.lastQuarterMedianMiB = last[Math.floor(last.length / 2)] ?? 0;
}

/**
 * One key, 128 requests at a time: past its burst, so some must be 429 (with Retry-After). The bodies
 * are an empty envelope (400 once through the limit) so the flood is fast enough to outrun the refill.
 */
async function flood(url: string, n: number, record: (c: FuzzCase, a: Answer) => void): Promise<FuzzReport['flood']> {
  const byStatus: Record<string, number> = {};
  const cases = Array.from({ length: n }, (): FuzzCase => ({ kind: 'flood', path: '/v1/batch', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), auth: 'key', expect: [400, 429] }));
  await pool(cases, 128, async (c) => {
    const a = await sendCase(url, c, 'flood_key');
    const label = `${a.status}${codeOf(a) ? ` ${codeOf(a)}` : ''}`;
    byStatus[label] = (byStatus[label] ?? 0) + 1;
    record(c, a);
  });
  return { sent: n, byStatus };
}

async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
