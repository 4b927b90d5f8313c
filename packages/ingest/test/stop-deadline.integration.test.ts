import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { ensureStreams, startKinesis, startKinesisFaultProxy, stopChild, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, batch, event } from './helpers';
import { startIngest } from './ingest-process';

/**
 * A client that sends a POST's headers and 10 of its 2,000 body bytes, then stalls. Resolves once
 * the server has read the headers (it answered `100 Continue`), so the request is open on the server.
 */
async function tricklingClient(url: string): Promise<{ socket: Socket; closed: Promise<unknown> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.write(`POST /v1/batch HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${basic('k')}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n`);
  await waitFor('100 Continue', () => received.startsWith('HTTP/1.1 100'), 10_000, 10);
  socket.write('{"batch":[');
  return { socket, closed };
}

const records = (lines: string[]): { level: string; msg: string; [field: string]: unknown }[] => lines.map((l) => JSON.parse(l) as { level: string; msg: string });

describe('the Node entry stopping with a client that never finishes its body', () => {
  let kinesis: KinesisEmulator;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, ['slow', 'slow-bad'].map((name) => ({ name, shards: 1 })));
  });
  afterAll(() => kinesis?.stop());

  // A 4 s deadline: the waiting connections are cut at 2 s, and 2 s are left for the close, the
  // writer's drain and the exit (milliseconds when idle; plenty on a loaded machine).
  const env = (endpoint: string): Record<string, string> => ({
    KINESIS_ENDPOINT: endpoint,
    INGEST_WRITE_KEYS: 'k=app',
    STREAM_NAME: 'slow',
    BAD_ROWS_STREAM_NAME: 'slow-bad',
    INGEST_STOP_DEADLINE_MS: '4000',
  });

  it('cuts the trickling connection before the deadline, says so, and exits 0', { timeout: 30_000 }, async () => {
    const { child, url, lines } = await startIngest(env(kinesis.endpoint));
    try {
      const trickling = await tricklingClient(url);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      await trickling.closed;
      expect(code).toBe(0);
      expect(records(lines)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'warn', msg: 'closed connections still open near the stop deadline', connections: 1, requests_receiving_body: 1, stop_deadline_ms: 4000 }),
          expect.objectContaining({ msg: 'stopped' }),
        ]),
      );
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('at the deadline, with a Kinesis write still hanging, logs what was open and exits 1', { timeout: 40_000 }, async () => {
    const proxy = await startKinesisFaultProxy(kinesis.endpoint);
    const { child, url, lines } = await startIngest({ ...env(proxy.endpoint), INGEST_WRITE_BUDGET_MS: '30000' });
    try {
      proxy.plan.latencyMs = 20_000;
      const hanging = fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: basic('k') }, body: batch([event()]) }).catch((error: unknown) => error);
      await waitFor('the write to reach the proxy', () => (proxy.stats.calls.PutRecords ?? 0) > 0, 10_000, 10);
      await tricklingClient(url);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(await hanging).toBeInstanceOf(Error); // reset: the client resends
      expect(records(lines)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'warn', msg: 'closed connections still open near the stop deadline', connections: 1, requests_receiving_body: 1, stop_deadline_ms: 4000 }),
          expect.objectContaining({ level: 'error', stop_deadline_ms: 4000, open_connections: 1, requests_in_flight: 1, requests_receiving_body: 0 }),
        ]),
      );
      expect(records(lines).find((r) => r.level === 'error')?.msg).toMatch(/^stop deadline passed; exiting 1/);
    } finally {
      await stopChild(child, 5000);
      await proxy.stop();
    }
  });
});
