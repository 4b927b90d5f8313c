import { dirname, join } from 'node:path';
import { CONSUMER_DEFAULTS, seenIndexDir } from './consumer/consumer';
import { SEEN_INDEX_DEFAULTS } from './dedupe/seen-index-leveldb';
import { readDedupeWindowMs } from './config-dedupe';
import { readDeliveryEnv, type DeliveryEnv } from './config-delivery';
import { ConfigError } from './config-error';
import { checkAwsRegion, checkEndpointUrl, checkStreamName } from '@eventline/schemas';
import { readMetricsEnv, type MetricsEnv } from './config-metrics';
import { readLocalPath } from './config-path';
import { optional, readIntegerEnv } from './config-value';

/** Everything the Node entry needs, read from the environment once. */
export interface ProcessorEnv {
  endpoint: string | undefined;
  region: string;
  streamName: string;
  lakeDir: string;
  checkpointFile: string;
  /** The ingest's bad-rows stream, delivered into `bad_rows/` too (optional). */
  badRowsStream: { name: string; checkpointFile: string } | undefined;
  maxAgeMs: number;
  maxBytes: number;
  /** Most partitions (files) one flush writes. */
  maxPartitions: number;
  pollIntervalMs: number;
  /** Cross-flush dedupe index (LevelDB folder) and how long / how many (app_id, event_id) keys it remembers. */
  dedupe: { dir: string; windowMs: number; maxIds: number };
  /** Emulator without explicit keys: use dummy credentials. */
  dummyCredentials: boolean;
  delivery: DeliveryEnv;
  /** `/metrics`, `/healthz`, `/readyz` server (absent: none). */
  metrics: MetricsEnv | undefined;
  /** From SIGTERM/SIGINT, how long the final flushes may take before the entry exits 1 without them. */
  shutdownTimeoutMs: number;
  /** From SIGTERM/SIGINT, how long the consumers may go on reading to the stream's tip before the final flushes (0: not at all). */
  shutdownDrainMs: number;
}

/**
 * 25 s: under the 30 s that Kubernetes (terminationGracePeriodSeconds) and ECS (stopTimeout) give a
 * stopping container before SIGKILL, so the entry says why it stopped instead of being killed mid-line.
 */
export const SHUTDOWN_TIMEOUT_DEFAULT_MS = 25_000;
/** Of SHUTDOWN_TIMEOUT_MS, kept for the final flushes after a SHUTDOWN_DRAIN_MS drain. */
export const FINAL_FLUSH_MARGIN_MS = 5_000;

export { ConfigError };

/** Parse and check every variable; report all problems at once. */
export function readEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): ProcessorEnv {
  const problems: string[] = [];
  const endpoint = optional(env.KINESIS_ENDPOINT);
  if (endpoint !== undefined) checkEndpointUrl('KINESIS_ENDPOINT', endpoint, problems);
  const region = optional(env.AWS_REGION) ?? optional(env.AWS_DEFAULT_REGION) ?? (endpoint ? 'us-east-1' : undefined);
  if (region === undefined) problems.push('AWS_REGION is required when KINESIS_ENDPOINT is not set (real AWS)');
  // An emulator takes any region; real AWS only its codes.
  else if (endpoint === undefined) checkAwsRegion(optional(env.AWS_REGION) ? 'AWS_REGION' : 'AWS_DEFAULT_REGION', region, problems);
  const streamName = optional(env.STREAM_NAME);
  if (streamName === undefined) problems.push('STREAM_NAME is required (the Kinesis stream to read)');
  else checkStreamName('STREAM_NAME', streamName, problems);
  const lakeDir = readLocalPath(env, 'LAKE_DIR', '.data/lake', cwd, problems);
  const checkpointFile = readLocalPath(env, 'CHECKPOINT_FILE', `.data/checkpoints/${streamName ?? 'stream'}.json`, cwd, problems);
  const badName = optional(env.BAD_ROWS_STREAM_NAME);
  if (badName !== undefined) checkStreamName('BAD_ROWS_STREAM_NAME', badName, problems);
  if (badName !== undefined && badName === streamName) {
    // Both consumers would share one checkpoint file and one set of metric series.
    problems.push(`BAD_ROWS_STREAM_NAME must differ from STREAM_NAME (both are "${badName}"): it names the ingest's bad-rows stream`);
  }
  const badRowsStream = badName
    ? { name: badName, checkpointFile: readLocalPath(env, 'BAD_ROWS_CHECKPOINT_FILE', join(dirname(checkpointFile), `${badName}.json`), cwd, problems) }
    : undefined;
  if (badRowsStream && badName !== streamName && badRowsStream.checkpointFile === checkpointFile) {
    // Each consumer would overwrite the other's positions: one of them would skip or replay records.
    problems.push(`BAD_ROWS_CHECKPOINT_FILE and CHECKPOINT_FILE must be different files (both are "${checkpointFile}")`);
  }
  const maxAgeMs = readIntegerEnv(env, 'BUFFER_MAX_MS', CONSUMER_DEFAULTS.maxAgeMs, 100, 900_000, problems);
  const maxBytes = readIntegerEnv(env, 'BUFFER_MAX_BYTES', CONSUMER_DEFAULTS.maxBytes, 1, 128 * 1024 * 1024, problems);
  const maxPartitions = readIntegerEnv(env, 'BUFFER_MAX_PARTITIONS', CONSUMER_DEFAULTS.maxPartitions, 1, 100_000, problems);
  const pollIntervalMs = readIntegerEnv(env, 'POLL_INTERVAL_MS', CONSUMER_DEFAULTS.pollIntervalMs, 10, 60_000, problems);
  const dedupe = {
    dir: readLocalPath(env, 'DEDUPE_DIR', seenIndexDir(checkpointFile), cwd, problems),
    windowMs: readDedupeWindowMs(env, problems),
    maxIds: readIntegerEnv(env, 'DEDUPE_MAX_IDS', SEEN_INDEX_DEFAULTS.maxIds, 1_000, 1_000_000_000, problems),
  };
  const delivery = readDeliveryEnv(env, problems);
  const metrics = readMetricsEnv(env, problems);
  const shutdownTimeoutMs = readIntegerEnv(env, 'SHUTDOWN_TIMEOUT_MS', SHUTDOWN_TIMEOUT_DEFAULT_MS, 1_000, 3_600_000, problems);
  const shutdownDrainMs = readIntegerEnv(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 3_600_000, problems);
  if (shutdownDrainMs > 0 && shutdownDrainMs > shutdownTimeoutMs - FINAL_FLUSH_MARGIN_MS) {
    // A drain that runs to its limit leaves the final flushes the rest of the stop deadline: without a
    // margin the entry would exit 1 with records read and not delivered.
    problems.push(
      `SHUTDOWN_DRAIN_MS (${shutdownDrainMs}) must leave at least ${FINAL_FLUSH_MARGIN_MS} ms of SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}) for the final flushes after the drain: at most ${Math.max(0, shutdownTimeoutMs - FINAL_FLUSH_MARGIN_MS)}, or raise SHUTDOWN_TIMEOUT_MS`,
    );
  }
  if (problems.length > 0 || region === undefined || streamName === undefined) throw new ConfigError(problems);
  return {
    endpoint,
    region,
    streamName,
    lakeDir,
    checkpointFile,
    badRowsStream,
    maxAgeMs,
    maxBytes,
    maxPartitions,
    pollIntervalMs,
    dedupe,
    dummyCredentials: endpoint !== undefined && optional(env.AWS_ACCESS_KEY_ID) === undefined,
    delivery,
    metrics,
    shutdownTimeoutMs,
    shutdownDrainMs,
  };
}
