import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, stopChild, waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { MAX_REFUSALS_ANSWERING } from '../src/http/connection-cap';
import { basic, batch, event } from './helpers';
import { NODE_ENTRY, startIngest } from './ingest-process';
import { nodeEntrySuite, rejectedCount } from './node-entry-suite';
import { answeredThenHeld, heldUpload, rawExchange, trickleExchange } from './raw-socket';

const records = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * GET `path` until the cap lets it through (a closed connection is freed once the server has seen it
 * go); returns the answer and how many tries were refused first (503, or closed at once in a flood).
 */
async function fetchPastCap(url: string, path: string): Promise<{ res: Response; refused: number }> {
  for (let refused = 0; refused < 200; refused++) {
    const res = await fetch(`${url}${path}`).catch(() => undefined);
    if (res && res.status !== 503) return { res, refused };
    await res?.arrayBuffer();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} still answered 503 after 200 tries`);
}

describe('the Node entry guarding against slow clients and floods of connections', () => {
  const { env, upload, storedFrom } = nodeEntrySuite('guard');

  it('answers a connection over INGEST_MAX_CONNECTIONS 503 too_many_connections with Retry-After, counts each, logs a flood once, and serves again once one closes', async () => {
    // The held uploads must stay held: no idle bound or minimum rate within the test.
    const adminPort = await freePort();
    const { child, url, lines } = await startIngest(env({ INGEST_MAX_CONNECTIONS: '2', INGEST_REQUEST_TIMEOUT_MS: '60000', INGEST_MIN_BODY_BYTES_PER_SECOND: '0', INGEST_ADMIN_PORT: String(adminPort) }));
    const admin = `http://127.0.0.1:${adminPort}`;
    const held = [await heldUpload(url), await heldUpload(url)];
    try {
      // Probes and scrapes on the admin port are outside the cap: a liveness probe does not fail while a client holds every connection.
      await waitFor('the admin listener', async () => (await fetch(`${admin}/healthz`).catch(() => undefined))?.status === 200, 5000);
      expect((await fetch(`${admin}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${admin}/metrics`)).text()).toContain('eventline_ingest_requests_rejected_total');
      // Only those: the traffic routes are not on the admin port.
      const notServed = await fetch(`${admin}/v1/batch`, { method: 'POST', body: '{}' });
      expect([notServed.status, ((await notServed.json()) as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
      const refused = await rawExchange(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(refused).toMatch(/^HTTP\/1\.1 503 /);
      expect(refused).toContain('"code":"too_many_connections"');
      expect(refused).toMatch(/^Retry-After: 5\r$/m);
      expect(refused).toMatch(/^Connection: close\r$/m);
      expect(refused).toMatch(/^X-Content-Type-Options: nosniff\r$/m);
      // A client still writing its request (256 KiB) reads the answer, not a reset.
      const { body, head } = upload('over-cap-device', 1);
      const posting = await rawExchange(url, `${head.replace(/Content-Length: \d+/, `Content-Length: ${256 * 1024}`)}${body.toString('latin1').padEnd(256 * 1024, ' ')}`);
      expect(posting).toMatch(/^HTTP\/1\.1 503 /);
      const more = await Promise.all([1, 2, 3].map(() => rawExchange(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')));
      for (const answer of more) expect(answer).toMatch(/^HTTP\/1\.1 503 /);

      held.forEach((h) => h.close());
      const health = await fetchPastCap(url, '/healthz');
      expect(health.res.status).toBe(200);
      const metrics = await fetchPastCap(url, '/metrics');
      expect(rejectedCount(await metrics.res.text(), 'too_many_connections')).toBe(5 + health.refused + metrics.refused);
      // Five refusals within the 10 s interval: one line, for the first.
      const logged = records(lines).filter((r) => r.msg === 'refused connections over INGEST_MAX_CONNECTIONS (answered 503 too_many_connections)');
      expect(logged).toEqual([expect.objectContaining({ level: 'warn', refused: 1, max_connections: 2 })]);
      await expect(storedFrom('over-cap-device')).resolves.toEqual([]);
    } finally {
      held.forEach((h) => h.close());
      await stopChild(child, 5000);
    }
  });

  it(`answers over-cap connections 503 (at most ${MAX_REFUSALS_ANSWERING} at a time) or closes them at once, and counts each`, async () => {
    const { child, url } = await startIngest(env({ INGEST_MAX_CONNECTIONS: '1', INGEST_REQUEST_TIMEOUT_MS: '60000', INGEST_MIN_BODY_BYTES_PER_SECOND: '0' }));
    const held = await heldUpload(url);
    // Clients that read the answer and never close their side: each answered one holds its slot for the linger.
    const flood = await Promise.all(Array.from({ length: MAX_REFUSALS_ANSWERING + 6 }, () => answeredThenHeld(url, '').catch(() => ({ answer: '', close: () => undefined }))));
    try {
      // Each is answered 503 or closed at once; exactly how many of each depends on how fast the 70 connect
      // within the 1 s linger (a slow machine frees slots), so the exact split is checked in connection-cap.test.ts.
      const answered = flood.filter((f) => f.answer.startsWith('HTTP/1.1 503 ')).length;
      expect(answered).toBeGreaterThanOrEqual(MAX_REFUSALS_ANSWERING);
      expect(answered + flood.filter((f) => f.answer === '').length).toBe(flood.length);
      held.close();
      const metrics = await fetchPastCap(url, '/metrics');
      expect(rejectedCount(await metrics.res.text(), 'too_many_connections')).toBe(flood.length + metrics.refused);
    } finally {
      flood.forEach((f) => f.close());
      held.close();
      await stopChild(child, 5000);
    }
  });

  it('a body that trickles under INGEST_MIN_BODY_BYTES_PER_SECOND past the first INGEST_REQUEST_TIMEOUT_MS gets 408 "too slowly", nothing written; one at a fine pace is served', async () => {
    const { child, url, lines } = await startIngest(env({ INGEST_REQUEST_TIMEOUT_MS: '1000', INGEST_MIN_BODY_BYTES_PER_SECOND: '1000' }));
    try {
      // 10 bytes every 100 ms: 100 B/s, never idle for the 1 s bound, a tenth of the minimum.
      const slow = upload('too-slow-device', 40);
      const cut = await trickleExchange(url, slow.head, slow.body, { chunkBytes: 10, gapMs: 100 });
      expect(cut.sentBytes).toBeLessThan(slow.body.length);
      expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(cut.answer).toContain('"code":"request_timeout"');
      expect(cut.answer).toMatch(/the request body arrived too slowly: \d+ bytes in \d+ ms, under the minimum of 1000 bytes\/s after the first 1000 ms/);
      expect(cut.answer).toMatch(/^X-Content-Type-Options: nosniff\r$/m);

      // The same batch in 30 chunks 100 ms apart: ~3 s, at about four times the minimum.
      const fine = upload('fine-pace-device', 40);
      expect(fine.body.length).toBeGreaterThan(3 * 1000 * 3);
      const served = await trickleExchange(url, fine.head, fine.body, { chunkBytes: Math.ceil(fine.body.length / 30), gapMs: 100 });
      expect(served.sentBytes).toBe(fine.body.length);
      expect(served.answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(served.answer).toContain('"accepted":40');

      expect(await storedFrom('fine-pace-device')).toHaveLength(40);
      expect(await storedFrom('too-slow-device')).toEqual([]);
      // The app was reading the slow body: it counts and logs it, once, as the body read it ended.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect([rejectedCount(metrics, 'request_timeout'), rejectedCount(metrics, 'incomplete_body')]).toEqual([0, 1]);
      expect(records(lines).filter((r) => r.msg === 'request').map((r) => r.error_code)).toEqual(['incomplete_body']);
      // The request id the client was given is logged too, so a client quoting it can be found.
      const given = /^X-Request-Id: (\S+)\r$/m.exec(cut.answer)?.[1];
      const appLine = records(lines).find((r) => r.msg === 'request' && r.error_code === 'incomplete_body');
      // With the app's id of the same request: the two lines are linked.
      expect(records(lines).filter((r) => r.msg === 'request body cut')).toEqual([expect.objectContaining({ request_id: given, status: 408, error_code: 'request_timeout', counted_as: 'incomplete_body', app_request_id: appLine?.request_id })]);
      expect(appLine?.request_id).toEqual(expect.any(String));
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('sends X-Content-Type-Options: nosniff on every answer: 200, 401, 404, 413, a CORS preflight, /metrics, and its own parser-level 400', async () => {
    const { child, url } = await startIngest(env({ INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example', INGEST_MAX_BODY_BYTES: '1024', INGEST_MAX_DECOMPRESSED_BYTES: '1024' }));
    try {
      const post = (key: string, body: string) => fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: basic(key), 'content-type': 'application/json' }, body });
      const answers = [
        await post('wk_live', batch([event({ anonymous_id: 'nosniff-device' })])),
        await post('wk_wrong', batch([event()])),
        await fetch(`${url}/nowhere`),
        await post('wk_live', batch([event({ properties: { pad: 'x'.repeat(2048) } })])),
        await fetch(`${url}/v1/batch`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } }),
        await fetch(`${url}/metrics`),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 413, 204, 200]);
      for (const answer of answers) expect(answer.headers.get('x-content-type-options'), `${answer.status}`).toBe('nosniff');
      await Promise.all(answers.map((a) => a.arrayBuffer()));
      const malformed = await rawExchange(url, 'NOT A REQUEST LINE\r\n\r\n');
      expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
      expect(malformed).toMatch(/^X-Content-Type-Options: nosniff\r$/m);
    } finally {
      await stopChild(child, 5000);
    }
  });
});

describe('the Node entry sizing its connection cap to the open-file limit', () => {
  /** The Node entry under `ulimit -n <files>`: its exit code, its stderr, and its `listening` line if it got that far. */
  async function underFileLimit(files: number, env: Record<string, string>): Promise<{ code: number | null; stderr: string; listening?: Record<string, unknown> }> {
    const child = spawn('sh', ['-c', `ulimit -n ${files} && exec "$0" "$1"`, process.execPath, NODE_ENTRY], {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', INGEST_WRITE_KEYS: 'k=shop', KINESIS_ENDPOINT: 'http://127.0.0.1:9', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('"msg":"listening"')) child.kill('SIGTERM');
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const listening = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'listening');
    return { code, stderr, listening };
  }

  it('defaults to what the limit leaves (256 − 128), and exits 2 when INGEST_MAX_CONNECTIONS asks for more', async () => {
    const fits = await underFileLimit(256, {});
    expect(fits.listening).toMatchObject({ max_connections: 128 });
    const over = await underFileLimit(256, { INGEST_MAX_CONNECTIONS: '1000' });
    expect(over.code).toBe(2);
    expect(over.stderr).toContain("INGEST_MAX_CONNECTIONS (1000) must leave 128 of the process's 256 open files (its hard limit, ulimit -Hn: Node raises the soft one to it) for Kinesis and Node: at most 128, or raise the limit");
  });
});
