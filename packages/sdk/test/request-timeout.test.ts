import type { ClientBatch } from '@eventline/schemas';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SendOptions } from '../src/core/types';
import { clientFactory, record } from './support';

const clients = clientFactory();
afterEach(() => clients.closeAll());

const accepted = (batch: ClientBatch) => ({ results: batch.events.map((e) => ({ event_id: e.event_id, status: 'accepted' })) });

function readBatch(body: string | Uint8Array): ClientBatch {
  const text = typeof body === 'string' ? body : gunzipSync(body).toString('utf8');
  return JSON.parse(text) as ClientBatch;
}

describe('requestTimeoutMs: a request that never answers', () => {
  it('is aborted, reported as an error, and its events are sent again', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const transport = {
      send(_url: string, body: string | Uint8Array, _headers: Record<string, string>, options?: SendOptions) {
        signals.push(options?.signal);
        // the first request hangs (and ignores its signal, as a custom transport may); the next is answered
        if (signals.length === 1) return new Promise<never>(() => undefined);
        return Promise.resolve({ status: 200, body: accepted(readBatch(body)) });
      },
    };
    const client = clients.create({ flushAt: 1, requestTimeoutMs: 50, retryBaseMs: 20 }, { transport });
    const notices = record(client);
    client.track('stalled');
    await vi.waitFor(() => expect(notices.sent).toHaveLength(1));
    expect(notices.error.map((e) => e.message)).toEqual(['network error: Error: no answer after 50 ms']);
    expect(signals.map((s) => s?.aborted)).toEqual([true, false]);
    expect(notices.sent[0]?.accepted).toBe(1);
    expect(notices.drop).toEqual([]);
  });

  it('over real fetch: the connection is cut, the retry is delivered, and close() does not wait for the stalled one', async () => {
    const requests: { closedEarly: Promise<boolean>; events: string[] }[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const batch = readBatch(new Uint8Array(Buffer.concat(chunks)));
        const first = requests.length === 0;
        // true when the client hung up before any answer: the abort reached the socket
        const closedEarly = new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableEnded)));
        requests.push({ closedEarly, events: batch.events.map((e) => String(e.event)) });
        if (first) return; // never answered
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(accepted(batch)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = clients.create({ endpoint: `http://127.0.0.1:${port}`, flushAt: 1, requestTimeoutMs: 300, retryBaseMs: 20 });
      const notices = record(client);
      client.track('over_a_stalled_link');
      await vi.waitFor(() => expect(notices.sent).toHaveLength(1), { timeout: 5000 });
      expect(requests.map((r) => r.events)).toEqual([['over_a_stalled_link'], ['over_a_stalled_link']]);
      expect(await requests[0]?.closedEarly).toBe(true);
      expect(notices.error[0]?.message).toMatch(/no answer after 300 ms/);
      await client.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is checked at init like every other duration', () => {
    expect(() => clients.create({ requestTimeoutMs: 0 })).toThrow('eventline: invalid requestTimeoutMs');
  });
});
