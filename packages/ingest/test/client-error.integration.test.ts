import { ensureStreams, startKinesis, stopChild, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest } from './ingest-process';
import { answeredThenHeld, openSockets, rawExchange } from './raw-socket';

const rejectedCount = (metrics: string, code: string) => Number(new RegExp(`^eventline_ingest_requests_rejected_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);

describe("the Node entry's answers to bytes its HTTP parser refused", () => {
  let kinesis: KinesisEmulator;
  beforeAll(async () => {
    kinesis = await startKinesis();
    await ensureStreams(kinesis.endpoint, [{ name: 'parse-events', shards: 1 }, { name: 'parse-bad', shards: 1 }]);
  });
  afterAll(async () => {
    await kinesis?.stop();
  });

  it('counts 400 malformed_request and 431 headers_too_large in requests_rejected_total and logs one line each, without the IP', async () => {
    const { child, url, lines } = await startIngest({ KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: 'wk_live=shop', STREAM_NAME: 'parse-events', BAD_ROWS_STREAM_NAME: 'parse-bad' });
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

  it("a client that stops sending mid-body (or mid-headers) gets 408 request_timeout after INGEST_REQUEST_TIMEOUT_MS, not a connection held for Node's 300 s", async () => {
    const { child, url, lines } = await startIngest({ KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: 'wk_live=shop', STREAM_NAME: 'parse-events', BAD_ROWS_STREAM_NAME: 'parse-bad', INGEST_REQUEST_TIMEOUT_MS: '1000' });
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

  it('closes its socket after a 408, also when the client never closes its side (no descriptor held per stalled socket)', async () => {
    const { child, url } = await startIngest({ KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: 'wk_live=shop', STREAM_NAME: 'parse-events', BAD_ROWS_STREAM_NAME: 'parse-bad', INGEST_REQUEST_TIMEOUT_MS: '1000' });
    const before = openSockets(child.pid!);
    const held = await answeredThenHeld(url, 'POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Slow: ');
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
