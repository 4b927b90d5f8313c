import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * The built package (dist: build first) as apps load it: a plain Node process resolving
 * `@eventline/sdk` through the package's `exports` (the workspace link in node_modules), as a
 * server rendering a page (SSR) and as bundlers do, under the conditions they set.
 */
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs an ES module script in a child Node process from the package folder; a client holding a timer would keep it alive (test timeout). */
async function node(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [...args, '--input-type=module', '--eval', script], { cwd: packageDir, timeout: 20_000 });
  return stdout.trim();
}

/** A loopback stand-in for the ingest: records the event names (else types) of each batch, accepts them all. */
let ingest: Server;
let endpoint = '';
const received: string[] = [];
beforeAll(async () => {
  ingest = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const bytes = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
        const events = (JSON.parse(text) as { events: { event_id: string; event?: string; type: string }[] }).events;
        received.push(...events.map((e) => e.event ?? e.type));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ results: events.map((e) => ({ event_id: e.event_id, status: 'accepted' })) }));
      } catch (error) {
        received.push(`unreadable: ${String(error)}`);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => ingest.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

const ENTRIES = {
  '@eventline/sdk': ['createEventline', 'init', 'track', 'SDK_VERSION'],
  '@eventline/sdk/node': ['createEventline', 'createMemoryStorage', 'SDK_VERSION'],
  '@eventline/sdk/react-native': ['createEventline', 'SDK_VERSION'],
};
/** Conditions bundlers and runtimes add (Node's own `--conditions`): each must reach a file that exists and loads. */
const CONDITIONS = ['', 'browser', 'node', 'react-native', 'worker', 'development', 'production'];

describe('each entry under each condition', () => {
  it.each(CONDITIONS)('resolves and loads with import and require (condition: %s)', async (condition) => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      const entries = ${JSON.stringify(Object.keys(ENTRIES))};
      const out = {};
      for (const name of entries) {
        out[name] = { import: Object.keys(await import(name)).sort(), require: Object.keys(require(name)).sort() };
      }
      console.log(JSON.stringify(out));`;
    const loaded = JSON.parse(await node(script, condition ? [`--conditions=${condition}`] : [])) as Record<string, { import: string[]; require: string[] }>;
    for (const [name, names] of Object.entries(ENTRIES)) {
      expect(loaded[name]?.import, `${name} (import)`).toEqual(expect.arrayContaining(names));
      expect(loaded[name]?.require, `${name} (require)`).toEqual(loaded[name]?.import);
    }
  });
});

describe('server rendering with the built browser entry (no window, document, IndexedDB, localStorage)', () => {
  it.each(['import', 'require'])('%s: init, track, createEventline do nothing, send nothing, and the process exits by itself', async (how) => {
    const load = how === 'import' ? "await import('@eventline/sdk')" : "createRequire(process.cwd() + '/')('@eventline/sdk')";
    const script = `
      import { createRequire } from 'node:module';
      const sdk = ${load};
      const config = { writeKey: 'wk_ssr', endpoint: ${JSON.stringify(endpoint)} };
      sdk.init(config);
      sdk.identify('user-1');
      sdk.track('af_purchase', { af_revenue: 1 });
      const analytics = sdk.createEventline(config); // a shared module's top level, evaluated on the server
      analytics.page('Rendered');
      await sdk.flush();
      await analytics.flush();
      console.log('rendered');`;
    expect(await node(script)).toBe('rendered');
    expect(received).toEqual([]);
  });
});

describe('the ESM and the CJS build both in one page (dual package)', () => {
  it('share one page-wide instance: init() through one, track() through the other, each event sent once', async () => {
    // A worker (importScripts, no document): the browser entry runs for real, with memory storage, in Node.
    const script = `
      import { createRequire } from 'node:module';
      globalThis.importScripts = () => undefined;
      const esm = await import('@eventline/sdk');
      const cjs = createRequire(process.cwd() + '/')('@eventline/sdk'); // a dependency that require()s it
      if (esm.init === cjs.init) throw new Error('one build loaded, not two');
      esm.init({ writeKey: 'wk_dual', endpoint: ${JSON.stringify(endpoint)}, compress: false, autoPage: false });
      cjs.track('from_cjs');
      esm.track('from_esm');
      await cjs.flush();
      await esm.flush();
      console.log('flushed');`;
    expect(await node(script)).toBe('flushed');
    expect(received.sort()).toEqual(['from_cjs', 'from_esm']);
  });
});
