import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createApp, createBatchingWriter, createKinesisClient, createKinesisWriter, parseWriteKeys, WRITER_DEFAULTS, type PutCall, type RecordWriter } from '../src';

/** One bench target in its own process (so it has a core of its own): bare | memory | kinesis. */
const mode = process.argv[2] ?? 'bare';
export const BENCH_KEY = 'bench_key';

function bare(): Hono {
  const app = new Hono();
  app.post('/v1/batch', async (c) => {
    const body = JSON.parse(await c.req.text()) as { events: unknown[] };
    return c.json({ ok: true, events: body.events.length });
  });
  return app;
}

/** PutRecords into nothing: the whole writer path (queue, linger, packing, settle) without a network. */
const countingSink: PutCall = () => Promise.resolve({ failed: [] });

function full(writer: RecordWriter) {
  const options = {
    streamName: 'events',
    badRowsStreamName: 'events-bad',
    writeKeys: parseWriteKeys(`${BENCH_KEY}=bench`),
    maxBodyBytes: 1024 * 1024,
    maxEventBytes: 32 * 1024,
  };
  return createApp({ writer, options });
}

const app =
  mode === 'bare'
    ? bare()
    : mode === 'memory'
      ? full(createBatchingWriter(countingSink, WRITER_DEFAULTS, () => Promise.resolve()))
      : full(createKinesisWriter(createKinesisClient({ endpoint: process.env.KINESIS_ENDPOINT, region: 'us-east-1' })));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
