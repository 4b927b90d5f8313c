import { connect } from 'node:net';
import { startKinesisFaultProxy, stopChild } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { basic } from './helpers';
import { startIngest } from './ingest-process';
import { nodeEntrySuite, rejectedCount } from './node-entry-suite';
import { answeredThenHeld, openSockets, rawExchange, trickleExchange } from './raw-socket';

describe("the Node entry's answers to bytes its HTTP parser refused", () => {
  const { endpoint, env, upload, storedFrom } = nodeEntrySuite('parse');

  it('counts 400 malformed_request and 431 headers_too_large in requests_rejected_total and logs one line each, without the IP', async () => {
    const { child, url, lines } = await startIngest(env());
    try {
      const before = await (await fetch(`${url}/metrics`)).text();
      for (const code of ['malformed_request', 'request_timeout', 'headers_too_large']) expect(rejectedCount(before, code), code).toBe(0);

      const bad = await rawExchange(url, 'NOT A REQUEST LINE\r\n\r\n');
      expect(bad).toMatch(/^HTTP\/1\.1 400 /);
      expect(bad).toContain('"code":"malformed_request"');
      // Node's default limit on the header section is 16 KiB.
      const huge = await rawExchange(url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
      expect(huge).toMatch(/^HTTP\/1\.1 431 /);
      expect(huge).toContain('"code":"headers_too_large"');

      const after = await (await fetch(`${url}/metrics`)).text();
      expect(rejectedCount(after, 'malformed_request')).toBe(1);
      expect(rejectedCount(after, 'headers_too_large')).toBe(1);
      expect(rejectedCount(after, 'request_timeout')).toBe(0);

      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request');
      const idOf = (answer: string) => /^X-Request-Id: (\S+)\r$/m.exec(answer)?.[1];
      expect(logged).toEqual([
        expect.objectContaining({ level: 'info', request_id: idOf(bad), status: 400, error_code: 'malformed_request', parse_error: expect.stringMatching(/^HPE_/) as string }),
        expect.objectContaining({ level: 'info', request_id: idOf(huge), status: 431, error_code: 'headers_too_large', parse_error: 'HPE_HEADER_OVERFLOW' }),
      ]);
      // The peer's address is never logged (the `listening` line names the server's own).
      expect(lines.filter((l) => l.includes('"msg":"request"')).join('\n')).not.toContain('127.0.0.1');
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('a client that keeps sending a body, however slowly, is served: 20 chunks 150 ms apart take ~3 s, three times the 1 s idle bound, and get 200 with every event in Kinesis', async () => {
    const { child, url } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      const { body, head } = upload('trickle-device', 40);
      const { answer, sentBytes } = await trickleExchange(url, head, body, { chunkBytes: Math.ceil(body.length / 20), gapMs: 150 });
      expect(sentBytes).toBe(body.length);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain('"accepted":40');
      expect(await storedFrom('trickle-device')).toHaveLength(40);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('a client that trickles past the idle bound and then stalls mid-body gets 408 request_timeout, and nothing of its batch is written', async () => {
    const { child, url, lines } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      const { body, head } = upload('stall-device', 40);
      const stallAfterBytes = Math.ceil(body.length / 2);
      const { answer, sentBytes } = await trickleExchange(url, head, body, { chunkBytes: Math.ceil(body.length / 20), gapMs: 150, stallAfterBytes });
      expect(sentBytes).toBe(stallAfterBytes);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"request_timeout"');
      expect(answer).toContain('"message":"the request body sent no byte for 1000 ms"');
      // Counted and logged once, by the app whose body read it ended.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect([rejectedCount(metrics, 'request_timeout'), rejectedCount(metrics, 'incomplete_body')]).toEqual([0, 1]);
      expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request').map((r) => r.error_code)).toEqual(['incomplete_body']);
      expect(await storedFrom('stall-device')).toEqual([]);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('a client answered 408 that then sends the rest of its body (within the answer\'s linger) has none of it written: it was told to resend', async () => {
    const { child, url, lines } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      const { body, head } = upload('late-rest-device', 5);
      const stallAfterBytes = Math.ceil(body.length / 2);
      const { answer, sentBytes } = await trickleExchange(url, head, body, { chunkBytes: stallAfterBytes, gapMs: 10, stallAfterBytes, restAfterAnswer: true });
      expect(sentBytes).toBe(body.length);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(rejectedCount(metrics, 'incomplete_body')).toBe(1);
      expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request').map((r) => r.error_code)).toEqual(['incomplete_body']);
      expect(await storedFrom('late-rest-device')).toEqual([]);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('a request answered before its body came (a bad key in the header) and then stalled is closed without a second answer', async () => {
    const { child, url, lines } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      const answer = await rawExchange(url, `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('wk_wrong')}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"batch":[`, { halfClose: false });
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect([rejectedCount(metrics, 'invalid_write_key'), rejectedCount(metrics, 'request_timeout'), rejectedCount(metrics, 'incomplete_body')]).toEqual([1, 0, 0]);
      expect(lines.filter((l) => /"level":"(error|warn)"/.test(l))).toEqual([]);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('the time to answer is not the client\'s: a Kinesis write slower than the idle bound still answers 200', async () => {
    const proxy = await startKinesisFaultProxy(endpoint());
    const { child, url } = await startIngest(env({ KINESIS_ENDPOINT: proxy.endpoint, INGEST_REQUEST_TIMEOUT_MS: '1000', INGEST_WRITE_BUDGET_MS: '10000' }));
    try {
      proxy.plan.latencyMs = 2500;
      const { body, head } = upload('slow-kinesis-device', 3);
      const answer = await rawExchange(url, `${head}${body.toString('latin1')}`, { halfClose: false });
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain('"accepted":3');
      expect(proxy.stats.calls.PutRecords).toBeGreaterThan(0);
      expect(await storedFrom('slow-kinesis-device')).toHaveLength(3);
    } finally {
      await stopChild(child, 5000);
      await proxy.stop();
    }
  });

  it('a keep-alive connection idle between requests for longer than the idle bound is still served (keepAliveTimeout governs it)', async () => {
    const { child, url } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      for (let i = 0; i < 100 && !received.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
      await new Promise((r) => setTimeout(r, 1500)); // idle past the 1 s bound, within Node's 5 s keepAliveTimeout
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await closed;
      expect(received.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it("a client that stops sending mid-body (or mid-headers) gets 408 request_timeout after INGEST_REQUEST_TIMEOUT_MS, not a connection held for Node's 300 s", async () => {
    const { child, url, lines } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    try {
      // No write key (it would be read from the body): the server holds what came until the body is complete.
      const stalledBody = rawExchange(url, `POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n{"batch":[`, { halfClose: false });
      const stalledHeaders = rawExchange(url, 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Slow: ', { halfClose: false });
      for (const answer of await Promise.all([stalledBody, stalledHeaders])) {
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(answer).toContain('"code":"request_timeout"');
      }
      // Each counted and logged once: the stalled headers by the server, the stalled body by the app that was
      // reading it (its read ends there: incomplete_body); no error, and the server keeps serving.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect([rejectedCount(metrics, 'request_timeout'), rejectedCount(metrics, 'incomplete_body')]).toEqual([1, 1]);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === 'request');
      expect(logged.map((r) => r.error_code).sort()).toEqual(['incomplete_body', 'request_timeout']);
      expect(lines.filter((l) => /"level":"(error|warn)"/.test(l))).toEqual([]);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await stopChild(child, 5000);
    }
  });

  it.each([
    ['headers', 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Slow: '],
    ['body', 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n{"batch":['],
  ])('closes its socket after a 408 for stalled %s, also when the client never closes its side (no descriptor held per stalled socket)', async (_stalled, request) => {
    const { child, url } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000' }));
    const before = openSockets(child.pid!);
    const held = await answeredThenHeld(url, request);
    try {
      expect(held.answer).toMatch(/^HTTP\/1\.1 408 /);
      // Polled (the server closes after a short linger, so a slow reader still gets the answer), up to a bound.
      for (let i = 0; i < 100 && openSockets(child.pid!) > before; i++) await new Promise((r) => setTimeout(r, 100));
      expect(openSockets(child.pid!)).toBeLessThanOrEqual(before);
    } finally {
      held.close();
      await stopChild(child, 5000);
    }
  });
});
