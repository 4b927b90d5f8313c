import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ClientBatch } from '@eventline/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_ENTRY, runScript } from './node-process';

/**
 * A loopback "ingest" that reads each request whole and never answers (a stalled upstream): the
 * events it has read are recorded, so a test knows the request was in flight when close() gave up.
 */
const read: string[] = [];
const server = createServer((req) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const bytes = Buffer.concat(chunks);
    const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    read.push(...(JSON.parse(text) as ClientBatch).events.map((e) => String(e.event)));
  });
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

/**
 * A script whose client waits 10 minutes for an answer (requestTimeoutMs) but closes within 2 s:
 * it prints each notice, then `closed` once close() resolved (when it calls it), then `exit`. The
 * process must end once close() is over, not when the request times out: runScript kills it after a
 * minute, which fails the test.
 */
function stalledScript(callsClose: boolean): string {
  return `
    import { createEventline } from ${JSON.stringify(NODE_ENTRY)};
    const client = createEventline({ writeKey: 'wk', endpoint: ${JSON.stringify(endpoint)}, requestTimeoutMs: 600000, closeTimeoutMs: 2000 });
    for (const name of ['sent', 'error', 'drop']) client.on(name, (n) => console.log(name, n.reason ?? '', JSON.stringify((n.events ?? []).map((e) => e.event))));
    process.on('exit', () => console.log('exit'));
    client.track('signup');
    ${callsClose ? "await client.close(); console.log('closed');" : ''}
  `;
}

describe('Node close() with an ingest that never answers', () => {
  it('ends the request in flight at closeTimeoutMs: the process exits once close() resolved', async () => {
    read.length = 0;
    const stdout = await runScript(stalledScript(true));
    expect(stdout.trim().split('\n')).toEqual(['drop closed ["signup"]', 'closed', 'exit']);
    expect(read).toEqual(['signup']); // it was in flight: the ingest had read it
  });

  it('does the same for the close at beforeExit of a script that never calls close()', async () => {
    read.length = 0;
    const stdout = await runScript(stalledScript(false));
    expect(stdout.trim().split('\n')).toEqual(['drop closed ["signup"]', 'exit']);
    expect(read).toEqual(['signup']);
  });
});
