import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { stopChild } from '@eventline/devstack';
import { basic } from '../test/helpers';
import { sdkShapedBodies } from './sdk-bodies';
import { BENCH_KEY } from './server';

/**
 * `npm run bench:cpu -- <bare|memory> [requests] [connections]`: the bench target's own CPU time per
 * request, from /proc/<pid>/stat (user + system), under keep-alive load from this process. Less
 * sensitive to a busy machine than throughput: it counts what the server spent, not how long it waited
 * for a core. Linux only. The same 50-event bodies as `npm run bench`; 1,000 requests of warm-up first.
 */
const mode = process.argv[2] ?? 'memory';
const requests = Number(process.argv[3] ?? 4000);
const connections = Number(process.argv[4] ?? 16);
const EVENTS = 50;

const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./server.ts', import.meta.url).pathname, mode], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let port = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    port = (JSON.parse(line) as { port: number }).port;
    break;
  }
  // BENCH_ENVELOPE=1: version 1 events, as `npm run bench` (the ingest upcasts them).
  const bodies = sdkShapedBodies(200, EVENTS, Date.now(), process.env.BENCH_ENVELOPE ? Number(process.env.BENCH_ENVELOPE) : undefined);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let failed = 0;
  const send = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = bodies[i % bodies.length]!;
      const headers = { authorization: basic(BENCH_KEY), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request({ agent, host: '127.0.0.1', port, path: '/v1/batch', method: 'POST', headers }, (res) => {
        if (res.statusCode !== 200) failed += 1;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: connections }, async () => {
      while (next < count) await send(next++);
    }));
  };
  try {
    await run(1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = cpuMs(child.pid!);
    const started = performance.now();
    await run(requests);
    const seconds = (performance.now() - started) / 1000;
    const perRequest = (cpuMs(child.pid!) - before) / requests;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`${mode}: ${perRequest.toFixed(3)} ms server CPU per request (${requests} requests, ${connections} connections, ${Math.round(requests / seconds)} req/s, ${failed} not 200; load average ${load})`);
  } finally {
    agent.destroy();
    await stopChild(child, 5000);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
