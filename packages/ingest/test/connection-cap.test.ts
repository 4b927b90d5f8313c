import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capConnections, MAX_REFUSALS_ANSWERING } from '../src/http/connection-cap';
import { answeredThenHeld } from './raw-socket';

/** The cap on a plain HTTP server in this process, real sockets on loopback; the Node entry's own test is connection-guards.integration. */
describe('capConnections', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function cappedServer(max: number, lingerMs: number) {
    let refused = 0;
    server = createServer((_req, res) => res.end('served'));
    capConnections(server, max, () => (refused += 1), lingerMs);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, refused: () => refused };
  }

  it(`answers ${MAX_REFUSALS_ANSWERING} over-cap connections while their answers linger; the ones past that are closed at once; each is counted`, async () => {
    // A linger no test run outlasts: the slots stay taken whatever the machine's pace (the Node entry's is 1 s).
    const { url, refused } = await cappedServer(1, 60_000);
    const { port } = new URL(url);
    const held = connect({ port: Number(port), host: '127.0.0.1' });
    await new Promise((resolve) => held.once('connect', resolve));
    // Clients that read the answer and never close their side.
    const flood = await Promise.all(Array.from({ length: MAX_REFUSALS_ANSWERING + 6 }, () => answeredThenHeld(url, '').catch(() => ({ answer: '', close: () => undefined }))));
    try {
      expect(flood.filter((f) => /^HTTP\/1\.1 503 [\s\S]*"code":"too_many_connections"/.test(f.answer))).toHaveLength(MAX_REFUSALS_ANSWERING);
      expect(flood.filter((f) => f.answer === '')).toHaveLength(6);
      expect(refused()).toBe(flood.length);
      // The answer does not tell how many connections to hold.
      expect(flood[0]!.answer).not.toContain('(1)');
    } finally {
      flood.forEach((f) => f.close());
      held.destroy();
    }
  });
});
