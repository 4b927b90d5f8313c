import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { ensureStreams, startKinesis, stopChild } from '@eventline/devstack';
import { basic, batch, event } from '../test/helpers';
import { BENCH_KEY } from './server';

/**
 * `npm run bench`: loopback load with batches of 50 events against (a) a bare Hono handler that only
 * parses the JSON, (b) the full ingest writing to an in-process sink, (c) the full ingest against the
 * default Kinesis emulator. Same machine, same run; the ratio (b)/(a) is what to compare across machines.
 */
// The AWS SDK's Node 20 notice would interleave with the table (the emulator clients are created later).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const EVENTS = 50;

async function startTarget(mode: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./server.ts', import.meta.url).pathname, mode], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const { port } = JSON.parse(line) as { port: number };
    return { child, url: `http://127.0.0.1:${port}/v1/batch` };
  }
  throw new Error(`bench target ${mode} exited before listening`);
}

/** As the SDK sends them: each batch from one device, 200 devices. */
function bodies(): string[] {
  return Array.from({ length: 200 }, (_, b) => batch(Array.from({ length: EVENTS }, (_, seq) => event({ anonymous_id: `device-${b}`, seq }))));
}

async function load(url: string, overallRate?: number, seconds = SECONDS) {
  const requests = bodies().map((body) => ({ method: 'POST' as const, body }));
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: basic(BENCH_KEY), 'content-type': 'application/json' },
    requests,
    ...(overallRate ? { overallRate } : {}),
  });
  const ok = result['2xx'];
  return { rps: ok / seconds, eventsPerSec: (ok * EVENTS) / seconds, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function measure(name: string, mode: string, env?: Record<string, string>, rate?: number) {
  const started = Date.now();
  const { child, url } = await startTarget(mode, env);
  try {
    await load(url, undefined, 1); // warm-up: JIT and connection pools, not measured
    const result = { name, ...(await load(url, rate)) };
    console.log(`  ${name}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  } finally {
    await stopChild(child, 5000);
  }
}

async function main(): Promise<void> {
  console.log(`ingest bench: ${EVENTS}-event batches, ${CONNECTIONS} connections, ${SECONDS} s per run\n`);
  const a = await measure('(a) bare Hono, parse only', 'bare');
  const b = await measure('(b) full ingest, in-process sink', 'memory');
  const halfRate = Math.max(1, Math.round(b.rps / 2));
  // autocannon paces in bursts, so the bare handler at the same rate is the baseline for p99.
  const aHalf = await measure(`(a) at half of (b)'s max, ${halfRate} req/s`, 'bare', undefined, halfRate);
  const bHalf = await measure(`(b) at half of (b)'s max, ${halfRate} req/s`, 'memory', undefined, halfRate);
  const kinesis = await startKinesis();
  let c;
  try {
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 4 }, { name: 'events-bad', shards: 1 }]);
    c = await measure(`(c) full ingest → ${kinesis.engine}`, 'kinesis', { KINESIS_ENDPOINT: kinesis.endpoint });
  } finally {
    await kinesis.stop();
  }
  const rows = [a, b, aHalf, bHalf, c];
  console.table(rows.map((r) => ({ target: r.name, 'req/s': Math.round(r.rps), 'events/s': Math.round(r.eventsPerSec), 'p99 ms': r.p99, errors: r.errors })));
  const ratio = b.eventsPerSec / a.eventsPerSec;
  console.log(`\nratio (b)/(a) = ${(ratio * 100).toFixed(1)} %   goal ≥ 60 %: ${ratio >= 0.6 ? 'met' : 'NOT met'}`);
  console.log(`p99 of (b) at half its max = ${bHalf.p99} ms (bare at that rate: ${aHalf.p99} ms)   goal ≤ 25 ms: ${bHalf.p99 <= 25 ? 'met' : 'NOT met'}`);
  console.log(`ratio (c)/(a) = ${((c.eventsPerSec / a.eventsPerSec) * 100).toFixed(1)} % (bounded by the emulator)`);
}

// Exit explicitly: the load generator and HTTP agents can keep the event loop alive after the report.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
