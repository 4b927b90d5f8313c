import type { KinesisEngine } from '@eventline/devstack';

/** A window of the run, in ms from the start of the load. */
export interface Window {
  atMs: number;
  forMs: number;
}

/** What the accounting run sends and which faults it injects, on one timeline. */
export interface ChaosPlan {
  name: string;
  engine: KinesisEngine;
  /** How long events are tracked; faults happen inside this span. */
  loadMs: number;
  /** Server-side senders (the SDK's Node entry), one client per device. */
  node: { devices: number; eventsPerSecond: number };
  /** Share of Node and browser events made invalid on purpose (wrong types, over the size limit). */
  invalidShare: number;
  /** Chromium: rounds of scenarios (offline/online, reload mid-flush, two tabs) until the load ends; `burst` events per step. */
  browser: { burst: number };
  /** Records written straight to the stream by a broken producer (not JSON): processor bad rows. */
  rawGarbage: number;
  /** Per-entry PutRecords throttling between ingest and Kinesis. */
  throttle: Window & { share: number };
  /** Kinesis unreachable from the ingest (connections refused). */
  outage: Window;
  /** SIGKILL times; each process is restarted `restartAfterMs` later. */
  ingestKills: number[];
  processorKills: number[];
  restartAfterMs: number;
  /** After the load: how long to wait for every event to be accounted for. */
  drainTimeoutMs: number;
  /** The processor's buffer interval (BUFFER_MAX_MS). */
  bufferMaxMs: number;
  /** Peak RSS (VmHWM) allowed per service, in MiB: above it the run fails. */
  rssLimitMiB: { ingest: number; processor: number; kinesis: number };
}

const RSS_LIMITS = { ingest: 400, processor: 600, kinesis: 600 };

/** `npm run chaos`: thousands of events, a 30 s outage, several kills of each service. */
export const FULL_PLAN: ChaosPlan = {
  name: 'full',
  engine: 'kinesalite',
  loadMs: 120_000,
  node: { devices: 8, eventsPerSecond: 60 },
  invalidShare: 0.05,
  browser: { burst: 20 },
  rawGarbage: 40,
  throttle: { atMs: 5_000, forMs: 20_000, share: 0.3 },
  outage: { atMs: 35_000, forMs: 30_000 },
  ingestKills: [12_000, 75_000, 100_000],
  processorKills: [20_000, 50_000, 90_000],
  restartAfterMs: 1_000,
  drainTimeoutMs: 120_000,
  bufferMaxMs: 1_000,
  rssLimitMiB: RSS_LIMITS,
};

/** The CI form: the same harness, a few hundred events, a 5 s outage, one kill of each service. */
export const SHORT_PLAN: ChaosPlan = {
  name: 'short',
  engine: 'kinesalite',
  loadMs: 24_000,
  node: { devices: 3, eventsPerSecond: 15 },
  invalidShare: 0.05,
  browser: { burst: 10 },
  rawGarbage: 5,
  throttle: { atMs: 1_000, forMs: 6_000, share: 0.3 },
  outage: { atMs: 9_000, forMs: 5_000 },
  ingestKills: [4_000],
  processorKills: [16_000],
  restartAfterMs: 500,
  drainTimeoutMs: 30_000,
  bufferMaxMs: 500,
  rssLimitMiB: RSS_LIMITS,
};
