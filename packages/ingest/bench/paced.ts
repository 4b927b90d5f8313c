import { Agent, request } from 'node:http';
import { quantile } from '@eventline/devstack';

export interface PacedResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Open-loop load at an even pace: request i is due at start + i/rate, whatever happened to the ones
 * before (closed-loop tools such as autocannon's `overallRate` send in bursts per connection and stop
 * sending while answers are slow, which hides queueing). Latency is measured from the due time, so time
 * spent waiting for a free connection counts too. Keep-alive sockets, at most `connections` of them.
 */
export async function pacedLoad(url: string, opts: { rate: number; seconds: number; connections: number; bodies: string[]; headers: Record<string, string> }): Promise<PacedResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = Math.round(opts.rate * opts.seconds);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  const send = (i: number, due: number): Promise<void> =>
    new Promise((resolve) => {
      const body = opts.bodies[i % opts.bodies.length]!;
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...opts.headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode === 200) ok += 1;
            else errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out; the loop wakes every millisecond, so bursts are at most rate/1000.
    while (next < total && start + (next * 1000) / opts.rate <= now) {
      const p = send(next, start + (next * 1000) / opts.rate);
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      next += 1;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const at = (q: number) => (latencies.length === 0 ? NaN : Math.round(quantile(latencies, q) * 10) / 10);
  return { rate: opts.rate, sent: total, ok, errors, p50: at(0.5), p99: at(0.99), max: at(1) };
}
