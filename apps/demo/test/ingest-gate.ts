import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of the ingest, standing for the network between a browser and it.
 * `open` forwards; `down` drops every connection (the device is offline); `503` answers as the
 * ingest does during a Kinesis outage (CORS preflights still pass). Unlike a Playwright route,
 * it also sees the keepalive and beacon requests a page makes while it unloads, so an outage
 * covers those too.
 */
export type GateMode = 'open' | 'down' | '503';

export interface IngestGate {
  url: string;
  mode: GateMode;
  /** Requests turned away since start (not forwarded). */
  refused: number;
  /**
   * The ingest's per-event answers to forwarded requests, by `event_id`: how often each was
   * accepted and how often answered `retry` (a write the ingest could not confirm, which may still
   * have reached Kinesis: an aborted PutRecords call can land).
   */
  answers: Map<string, { accepted: number; retry: number }>;
  close(): Promise<void>;
}

export async function startIngestGate(target: string): Promise<IngestGate> {
  const targetUrl = new URL(target);
  const server = createServer((req, res) => {
    if (gate.mode === 'down') {
      gate.refused += 1;
      req.socket.destroy();
      return;
    }
    if (gate.mode === '503' && req.method !== 'OPTIONS') {
      gate.refused += 1;
      req.resume();
      // The ingest's own CORS headers, so the page can read Retry-After as it would from the ingest.
      res
        .writeHead(503, { 'Retry-After': '1', 'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' })
        .end();
      return;
    }
    forward(req, res);
  });
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => countAnswers(Buffer.concat(chunks)));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
  function countAnswers(body: Buffer): void {
    let results: unknown;
    try {
      results = (JSON.parse(body.toString('utf8')) as { results?: unknown }).results;
    } catch {
      return; // not a batch answer (readyz, an error page)
    }
    if (!Array.isArray(results)) return;
    for (const result of results as { event_id?: string | null; status?: string }[]) {
      if (!result.event_id || (result.status !== 'accepted' && result.status !== 'retry')) continue;
      const counts = gate.answers.get(result.event_id) ?? { accepted: 0, retry: 0 };
      counts[result.status] += 1;
      gate.answers.set(result.event_id, counts);
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gate: IngestGate = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'open',
    refused: 0,
    answers: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return gate;
}
