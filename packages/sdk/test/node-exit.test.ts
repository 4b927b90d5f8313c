import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ClientBatch } from '@eventline/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_ENTRY, runScript } from './node-process';

const received: string[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const bytes = Buffer.concat(chunks);
    const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    const batch = JSON.parse(text) as ClientBatch;
    received.push(...batch.events.map((e) => String(e.event)));
    const results = batch.events.map((e) => ({ event_id: e.event_id, status: 'accepted' }));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results }));
  });
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('Node: a script that never calls close()', () => {
  it('still delivers what it tracked before it exits, through one shared beforeExit listener', async () => {
    const stdout = await runScript(`
      import { createEventline } from ${JSON.stringify(NODE_ENTRY)};
      const before = process.listenerCount('beforeExit');
      for (const name of ['first', 'second', 'third']) {
        const client = createEventline({ writeKey: 'wk', endpoint: ${JSON.stringify(endpoint)}, flushIntervalMs: 60000 });
        client.track(name);
      }
      console.log(process.listenerCount('beforeExit') - before);
    `);
    expect(stdout.trim()).toBe('1');
    expect(received.sort()).toEqual(['first', 'second', 'third']);
  });

  it('holds unclosed clients weakly: a dropped idle client is collected, a dropped client with events queued is still closed at exit', async () => {
    received.length = 0;
    const stdout = await runScript(
      `
      import { createEventline } from ${JSON.stringify(NODE_ENTRY)};
      const collected = [];
      const finalized = new FinalizationRegistry((name) => collected.push(name));
      (() => {
        const config = { writeKey: 'wk', endpoint: ${JSON.stringify(endpoint)}, flushIntervalMs: 60000 };
        // close() is what the exit hook used to hold (it reaches the whole client).
        finalized.register(createEventline(config).close, 'idle');
        const busy = createEventline(config);
        busy.track('queued_then_dropped');
        finalized.register(busy.close, 'busy');
      })();
      // Finalizers run in a later task than the collection: collect, yield, until the idle one is gone.
      for (let i = 0; i < 50 && !collected.includes('idle'); i++) {
        await new Promise((resolve) => setImmediate(resolve));
        globalThis.gc();
      }
      console.log(JSON.stringify(collected));
    `,
      ['--expose-gc'],
    );
    expect(JSON.parse(stdout.trim())).toEqual(['idle']);
    expect(received).toEqual(['queued_then_dropped']);
  });
});
