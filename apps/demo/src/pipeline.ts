import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ensureStreams, spawnService, startKinesis, type KinesisEmulator, type KinesisEngine, type ServiceExit, type ServiceProcess } from '@eventline/devstack';
import { settleBacklog, type Backlog, type BacklogTiming } from './backlog';
import { lockDataDir } from './data-dir-lock';
import { leftoverNote } from './stop-leftover';
import { dataLayout, migrateSharedLayout } from './data-layout';

export const DEMO_WRITE_KEY = 'demo_write_key';
export const DEMO_APP_ID = 'demo_shop';
import { STREAMS } from './streams';

export { STREAMS };

export interface PipelineOptions {
  /**
   * Everything the pipeline keeps: the lake and the seen index (shared), and per Kinesis engine its
   * stream data and the processor's checkpoints (`<engine>/`; see data-layout.ts).
   */
  dataDir: string;
  engine?: KinesisEngine;
  /** Processor buffer age before a file is written; 1 s locally so events show up fast. */
  bufferMaxMs?: number;
  /** Event files in the lake: Parquet (typed columns) by default, or NDJSON.gz. */
  outputFormat?: 'parquet' | 'ndjson';
  /** Also load events into PostgreSQL; default: DATABASE_URL when set, else none. */
  databaseUrl?: string;
  /** PostgreSQL schema for the events table (the processor's PG_SCHEMA); default `public`. */
  pgSchema?: string;
  onLine?: (service: string, line: string) => void;
  /** What the demo did to the data folder (the move from the shared layout); default: stderr. */
  onNote?: (message: string) => void;
  /** How far the processor got through an earlier run's backlog, and how that wait ended; default: none. */
  onBacklogProgress?: (message: string) => void;
  /** Ctrl-C: ends the start (the backlog wait included) at once; started services are stopped, and it rejects. */
  signal?: AbortSignal;
  /** The backlog wait's pacing (src/backlog.ts); default: its own. Tests widen a window here instead of racing it. */
  backlogTiming?: Partial<BacklogTiming>;
  /**
   * At stop, once the ingest has stopped: how long the processor may go on reading the streams to their
   * tip before its final flush (its SHUTDOWN_DRAIN_MS). Default 10 s.
   */
  stopDrainMs?: number;
  /** At stop: how many records the processor left unread in the streams, when it left any; default: stderr. */
  onStopNote?: (message: string) => void;
}

export interface Pipeline {
  kinesis: KinesisEmulator;
  ingestUrl: string;
  lakeDir: string;
  /** Where the processor loads events in PostgreSQL, when it does. */
  database?: { url: string; table: string };
  /** The processor's Prometheus endpoint (lag per shard, rows delivered), on a free loopback port. */
  processorMetricsUrl: string;
  /**
   * What earlier runs left unread in the streams, which the processor read and flushed before the
   * ingest started: the live view's accounting subtracts it (src/backlog.ts).
   */
  backlog: Backlog;
  services: ServiceProcess[];
  /**
   * Ingest first (no new writes), then the processor, which reads what the streams hold to their tip
   * (at most `stopDrainMs`), delivers it and checkpoints, then Kinesis. What it left unread is told
   * (`onStopNote`) and read by the next start.
   */
  stop(): Promise<void>;
}

/** A processor stop: its drain, then its final flushes (a few seconds in the demo), within its stop deadline. */
const STOP_DRAIN_DEFAULT_MS = 10_000;
const FINAL_FLUSH_MS = 10_000;

const require = createRequire(import.meta.url);

/** Kinesis emulator → ingest → processor, each a real process, wired by environment. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const engine = options.engine ?? 'kinesalite';
  mkdirSync(options.dataDir, { recursive: true });
  // Before anything else (the move of an old layout included): one pipeline per data folder.
  const unlock = await lockDataDir(options.dataDir);
  try {
    return await startLocked(options, engine, unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function startLocked(options: PipelineOptions, engine: KinesisEngine, unlock: () => Promise<void>): Promise<Pipeline> {
  for (const note of migrateSharedLayout(options.dataDir)) (options.onNote ?? ((m) => console.warn(m)))(note);
  const layout = dataLayout(options.dataDir, engine);
  const { lakeDir } = layout;
  mkdirSync(lakeDir, { recursive: true });
  mkdirSync(layout.emulatorDir, { recursive: true });
  mkdirSync(dirname(layout.checkpointFile), { recursive: true });
  const onLine = options.onLine ?? (() => undefined);

  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  const pgSchema = options.pgSchema ?? process.env.PG_SCHEMA;
  const pgTable = process.env.PG_TABLE;
  const kinesis = await startKinesis({ engine, dataDir: layout.emulatorDir, onLog: (line) => onLine('kinesis', line) });
  const services: ServiceProcess[] = [];
  const drainMs = options.stopDrainMs ?? STOP_DRAIN_DEFAULT_MS;
  const streams = [
    { name: STREAMS.events, checkpointFile: layout.checkpointFile },
    { name: STREAMS.badRows, checkpointFile: layout.badRowsCheckpointFile },
  ];
  const stopAll = async (tellLeftover: boolean): Promise<void> => {
    // Ingest first (no new writes), then the processor (reads the streams to their tip, flushes its
    // buffers, checkpoints), then Kinesis.
    let processorExit: ServiceExit | undefined;
    for (const service of [...services].reverse()) {
      const exit = await service.stop();
      if (service.name === 'processor') processorExit = exit;
    }
    if (tellLeftover && processorExit) {
      const note = await leftoverNote(kinesis.endpoint, streams, drainMs, processorExit);
      if (note) (options.onStopNote ?? ((m) => console.warn(m)))(note);
    }
    await kinesis.stop();
    await unlock();
  };
  const stop = (): Promise<void> => stopAll(true);
  try {
    await ensureStreams(kinesis.endpoint, [
      { name: STREAMS.events, shards: 2 },
      { name: STREAMS.badRows, shards: 1 },
    ]);
    const common = { KINESIS_ENDPOINT: kinesis.endpoint, AWS_REGION: 'us-east-1' };
    const processorStopMs = drainMs + FINAL_FLUSH_MS;
    let processorMetricsUrl = '';
    const startProcessor = async (): Promise<string> => {
      const processor = await spawnService({
        name: 'processor',
        entry: require.resolve('@eventline/processor/node'),
        env: {
          ...common,
          STREAM_NAME: STREAMS.events,
          LAKE_DIR: lakeDir,
          // Per engine: a checkpoint points into one stream instance.
          CHECKPOINT_FILE: layout.checkpointFile,
          BAD_ROWS_CHECKPOINT_FILE: layout.badRowsCheckpointFile,
          // Shared, as the lake is: an event resent after an engine switch is still delivered once.
          DEDUPE_DIR: layout.seenDir,
          BUFFER_MAX_MS: String(options.bufferMaxMs ?? 1000),
          // The ingest's rejections land in the lake's bad_rows too.
          BAD_ROWS_STREAM_NAME: STREAMS.badRows,
          OUTPUT_FORMAT: options.outputFormat ?? 'parquet',
          // Services get none of the shell's variables but the basics (devstack's INHERITED_ENV): these
          // are the ones the demo honours (README), passed on by name.
          // PG_* only with a database: the processor refuses them alone (they would do nothing).
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
          ...(databaseUrl && pgSchema ? { PG_SCHEMA: pgSchema } : {}),
          ...(databaseUrl && pgTable ? { PG_TABLE: pgTable } : {}),
          METRICS_PORT: '0',
          // Set here, not taken from the shell: a METRICS_HOST=0.0.0.0 there must not expose the demo.
          METRICS_HOST: '127.0.0.1',
          // At stop, after the ingest: what it accepted and the processor has not read yet is read, delivered and checkpointed.
          SHUTDOWN_DRAIN_MS: String(drainMs),
          SHUTDOWN_TIMEOUT_MS: String(processorStopMs),
        },
        ready: (r) => r.event === 'ready',
        onLine,
        // Past its own deadline the processor exits by itself; SIGKILL only if even that hangs.
        stopGraceMs: processorStopMs + 5_000,
      });
      services.push(processor);
      processorMetricsUrl = String(processor.readyRecord.metrics_url);
      return processorMetricsUrl;
    };
    // The backlog is counted before the processor starts and settled before the ingest does.
    const backlog = await settleBacklog(kinesis.endpoint, streams, startProcessor, {
      ...(options.onBacklogProgress ? { onProgress: options.onBacklogProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.backlogTiming ? { timing: options.backlogTiming } : {}),
    });
    const ingest = await spawnService({
      name: 'ingest',
      entry: require.resolve('@eventline/ingest/node'),
      env: {
        ...common,
        PORT: '0',
        HOST: '127.0.0.1', // not the shell's HOST: the demo stays on loopback
        STREAM_NAME: STREAMS.events,
        BAD_ROWS_STREAM_NAME: STREAMS.badRows,
        INGEST_WRITE_KEYS: `${DEMO_WRITE_KEY}=${DEMO_APP_ID}`,
        // The demo page runs on a dynamic loopback port; browsers from any other origin get 403.
        INGEST_ALLOWED_ORIGINS: `${DEMO_APP_ID}=http://127.0.0.1:*|http://localhost:*`,
      },
      ready: (r) => r.msg === 'listening',
      onLine,
    });
    services.push(ingest);
    const database = databaseUrl ? { url: databaseUrl, table: `"${pgSchema ?? 'public'}"."${pgTable ?? 'events'}"` } : undefined;
    return { kinesis, ingestUrl: String(ingest.readyRecord.url), lakeDir, database, processorMetricsUrl, backlog, services, stop };
  } catch (error) {
    // Stopped by Ctrl-C (the backlog wait): what the processor left is told, as at any stop. A failed start: its error is.
    await stopAll(options.signal?.aborted ?? false);
    throw error;
  }
}
