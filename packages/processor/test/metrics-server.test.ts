import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../src/metrics/http-server';
import { createProcessorMetrics } from '../src/metrics/processor-metrics';
import { createReadiness } from '../src/metrics/readiness';

describe('metrics server', () => {
  const metrics = createProcessorMetrics({ defaultMetrics: false });
  const readiness = createReadiness();
  let server: MetricsServer;
  beforeAll(async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, readiness, log: () => {} });
  });
  afterAll(() => server.close());

  it('listens on a free loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves Prometheus text on /metrics', async () => {
    metrics.observerFor('events').recordsRead('shardId-0', 3, 500);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('eventline_processor_records_read_total{stream="events"} 3');
    expect(text).toContain('eventline_processor_behind_latest_seconds{stream="events",shard="shardId-0"} 0.5');
  });

  it('answers /healthz always and /readyz with the reasons while not ready', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const starting = await fetch(`${server.url}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: 'not_ready', reasons: ['consumers are starting'] });
    readiness.started();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('refuses other paths and methods', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('fails to start on a port already taken', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startMetricsServer({ host: '127.0.0.1', port, registry: metrics.registry, readiness, log: () => {} })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('metrics server with a failing or hanging collect()', () => {
  /** A server whose one gauge runs `collect` at each scrape. */
  async function serverWith(collect: () => Promise<void> | void): Promise<{ server: MetricsServer; logged: string[] }> {
    const registry = new Registry();
    new Gauge({ name: 'probe', help: 'probe', registers: [registry], collect });
    const logged: string[] = [];
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, readiness: createReadiness(), log: (_level, msg) => logged.push(msg) });
    return { server, logged };
  }

  it('answers 500 and logs when a collect() throws', async () => {
    const { server, logged } = await serverWith(() => {
      throw new Error('collect failed');
    });
    try {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'internal error' });
      expect(logged).toEqual(['metrics request failed']);
    } finally {
      await server.close();
    }
  });

  it('closes with a scrape in flight, and refuses connections after', async () => {
    let collecting!: () => void;
    const collectStarted = new Promise<void>((resolve) => (collecting = resolve));
    const { server } = await serverWith(() => {
      collecting();
      return new Promise<void>(() => {}); // never settles
    });
    const inFlight = fetch(`${server.url}/metrics`);
    const outcome = inFlight.then(() => 'answered', () => 'cut off');
    await collectStarted;
    await server.close();
    expect(await outcome).toBe('cut off');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
