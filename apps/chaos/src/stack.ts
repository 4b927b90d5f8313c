import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureStreams, freePort, spawnService, startKinesis, startKinesisFaultProxy, type KinesisEmulator, type KinesisEngine, type KinesisFaultProxy } from '@eventline/devstack';
import { restartable, type Restartable } from './restartable';
import type { RssWatch } from './rss';

export const WRITE_KEY = 'chaos_write_key';
export const APP_ID = 'chaos_app';
export const STREAMS = { events: 'events', badRows: 'events-bad' } as const;

export interface Stack {
  kinesis: KinesisEmulator;
  /** Between the ingest and Kinesis: throttling and outages are injected here. */
  proxy: KinesisFaultProxy;
  /** Fixed across ingest restarts, so clients keep their endpoint. */
  ingestUrl: string;
  ingest: Restartable;
  processor: Restartable;
  lakeDir: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  dataDir: string;
  engine: KinesisEngine;
  bufferMaxMs: number;
  rss: RssWatch;
  onLine: (service: string, line: string) => void;
}

const require = createRequire(import.meta.url);

/** Kinesis emulator, fault proxy, processor and ingest: real processes on free loopback ports. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { dataDir, rss, onLine } = options;
  const lakeDir = join(dataDir, 'lake');
  mkdirSync(lakeDir, { recursive: true });
  mkdirSync(join(dataDir, 'kinesis'), { recursive: true });
  const kinesis = await startKinesis({ engine: options.engine, dataDir: join(dataDir, 'kinesis'), onLog: (line) => onLine('kinesis', line) });
  rss.watch('kinesis', kinesis.pid);
  const started: { stop(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    // Ingest first (no new writes), then the processor (flushes its buffers), the proxy, Kinesis.
    for (const part of started.reverse()) await part.stop();
    await kinesis.stop();
  };
  try {
    await ensureStreams(kinesis.endpoint, [
      { name: STREAMS.events, shards: 2 },
      { name: STREAMS.badRows, shards: 1 },
    ]);
    const proxy = await startKinesisFaultProxy(kinesis.endpoint);
    started.push(proxy);
    const common = { AWS_REGION: 'us-east-1', STREAM_NAME: STREAMS.events, BAD_ROWS_STREAM_NAME: STREAMS.badRows };
    const processor = restartable(
      'processor',
      () =>
        spawnService({
          name: 'processor',
          entry: require.resolve('@eventline/processor/node'),
          env: {
            ...common,
            KINESIS_ENDPOINT: kinesis.endpoint, // the processor reads Kinesis directly: the faults are the ingest's
            LAKE_DIR: lakeDir,
            CHECKPOINT_FILE: join(dataDir, 'checkpoints.json'),
            BUFFER_MAX_MS: String(options.bufferMaxMs),
            OUTPUT_FORMAT: 'parquet',
            // No metrics server, whatever the shell sets (empty = unset for the processor).
            METRICS_PORT: '',
            METRICS_HOST: '',
          },
          ready: (r) => r.event === 'ready',
          onLine,
        }),
      (pid) => rss.watch('processor', pid),
    );
    await processor.start();
    started.push(processor);
    const port = await freePort();
    const ingest = restartable(
      'ingest',
      () =>
        spawnService({
          name: 'ingest',
          entry: require.resolve('@eventline/ingest/node'),
          env: {
            ...common,
            KINESIS_ENDPOINT: proxy.endpoint,
            PORT: String(port),
            HOST: '127.0.0.1', // not the shell's HOST: the run stays on loopback
            INGEST_WRITE_KEYS: `${WRITE_KEY}=${APP_ID}`,
            INGEST_ALLOWED_ORIGINS: `${APP_ID}=http://127.0.0.1:*`,
            INGEST_LOG_REQUESTS: '1', // services.log then shows every request: duplicates can be traced
          },
          ready: (r) => r.msg === 'listening',
          onLine,
        }),
      (pid) => rss.watch('ingest', pid),
    );
    await ingest.start();
    started.push(ingest);
    return { kinesis, proxy, ingestUrl: `http://127.0.0.1:${port}`, ingest, processor, lakeDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
