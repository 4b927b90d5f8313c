import { checkAwsRegion, checkEndpointUrl, DEFAULT_BAD_ROWS_STREAM } from '@eventline/schemas';
import { checkListenHost, readBasePath, readSwitch } from './config-forms';
import { IP_MODES, type IpMode } from './http/client-ip';
import { burstWithoutRate, ENV_NAMES, namesLeftOut, rangeWords, sameStreamProblems, SETTING_RANGES, sizeProblems, streamNameProblems } from './option-checks';
import type { WriterTuning } from './kinesis/batching-writer';
import { parseAllowedOrigins, parseWriteKeys, type WriteKeyEntry } from './write-keys';

export interface IngestConfig {
  host: string;
  port: number;
  streamName: string;
  badRowsStreamName: string;
  writeKeys: WriteKeyEntry[];
  allowedOrigins: Record<string, string[]>;
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxEventBytes: number;
  maxBatchEvents: number;
  maxSegmentBatchEvents: number;
  /** Bytes of bodies being decoded and parsed at once (INGEST_MAX_PARSING_BYTES); past it 503 `parsing_busy`. */
  maxParsingBytes: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  clientRateLimitPerSecond: number;
  clientRateLimitBurst: number;
  ipMode: IpMode;
  /** Proxies of ours in front of the Node server whose X-Forwarded-For entries are believed. */
  trustedProxies: number;
  logAllRequests: boolean;
  /** INGEST_METRICS=off: no GET /metrics. */
  metrics: boolean;
  /** Node entry: the whole graceful stop (INGEST_STOP_DEADLINE_MS); past it the process exits 1. */
  stopDeadlineMs: number;
  /** Node entry: how long a request's body (or headers, capped at 10 s) may go without a byte (INGEST_REQUEST_TIMEOUT_MS); then 408. */
  requestTimeoutMs: number;
  /** Node entry: the least a body must average after its first `requestTimeoutMs` (INGEST_MIN_BODY_BYTES_PER_SECOND); 0: no minimum. */
  minBodyBytesPerSecond: number;
  /** Node entry: open connections at most (INGEST_MAX_CONNECTIONS); more are answered 503. 0: no cap. */
  maxConnections: number;
  /** Node entry: a second listener for /healthz, /readyz and /metrics only, outside the connection cap (INGEST_ADMIN_PORT). */
  adminPort?: number;
  /** Lambda entry: a custom domain's base path (INGEST_BASE_PATH, `/ingest`), cut from the path before routing. */
  basePath?: string;
  writer: WriterTuning;
  kinesis: { endpoint?: string; region: string };
}

/** Documented defaults; see README for why each is what it is. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  streamName: 'events',
  badRowsStreamName: DEFAULT_BAD_ROWS_STREAM,
  maxBodyBytes: 1024 * 1024,
  maxDecompressedBytes: 8 * 1024 * 1024,
  maxEventBytes: 32 * 1024,
  maxBatchEvents: 500,
  // Segment bounds a batch by bytes (500 KB), not by count; its libraries send up to 1000 (analytics-react-native's
  // maxBatchSize). One device's messages share a shard (1000 records/s) and a write has 2 s: more could never be confirmed.
  maxSegmentBatchEvents: 1000,
  // Measured: a body being parsed holds ~2× its inflated size of RSS (the buffer and its string); 128 MiB is 16 bodies of 8 MiB, or thousands of SDK batches.
  maxParsingBytes: 128 * 1024 * 1024,
  rateLimitPerSecond: 1000,
  ipMode: 'anonymize',
  trustedProxies: 0,
  lingerMs: 5,
  budgetMs: 2000,
  maxBytesInFlight: 64 * 1024 * 1024,
  breakerFailures: 5,
  breakerCooldownMs: 5000,
  stopDeadlineMs: 10_000,
  requestTimeoutMs: 30_000,
  // Apache mod_reqtimeout's default (body=20,MinRate=500): a fifth of the slowest mobile uplink's pace (GPRS, ~2.5 KB/s).
  minBodyBytesPerSecond: 500,
  // Each connection may hold a body being received (up to INGEST_MAX_BODY_BYTES): 1024 of them ≈ 1 GiB at worst; what is
  // inflated and parsed from them is bounded apart, by maxParsingBytes (~2× it in RSS, measured: README).
  maxConnections: 1024,
  region: 'us-east-1',
} as const;

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

/**
 * Descriptors kept out of the connection cap: the Kinesis connections, the listening socket, stdio and
 * Node's own (epoll, the thread pool's). A cap that used them all would fail the writes (EMFILE) first.
 */
export const RESERVED_FILES = 128;

/** The default cap on connections: 1024, or what the open-file limit leaves when that is lower. */
export function defaultMaxConnections(openFileLimit: number | undefined): number {
  return openFileLimit === undefined ? DEFAULTS.maxConnections : Math.max(1, Math.min(DEFAULTS.maxConnections, openFileLimit - RESERVED_FILES));
}

/**
 * Read and validate the environment once, at start. Every problem is reported, not just the first.
 * `openFileLimit` (the Node entry passes the process's, see open-file-limit.ts) bounds the connection cap.
 */
export function loadConfig(env: Env, openFileLimit?: number): IngestConfig {
  const problems: string[] = [];
  const int = integerReader(env, problems);
  const writeKeys = attempt(problems, () => parseWriteKeys(env.INGEST_WRITE_KEYS ?? ''), []);
  const appIds = writeKeys.map((k) => k.appId);
  const allowedOrigins = attempt(problems, () => parseAllowedOrigins(env.INGEST_ALLOWED_ORIGINS ?? '', appIds), {});
  const endpoint = env.KINESIS_ENDPOINT?.trim() || undefined;
  if (endpoint !== undefined) checkEndpointUrl('KINESIS_ENDPOINT', endpoint, problems);
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || DEFAULTS.region;
  // An emulator takes any region; real AWS only its codes.
  if (endpoint === undefined) checkAwsRegion(env.AWS_REGION?.trim() ? 'AWS_REGION' : 'AWS_DEFAULT_REGION', region, problems);
  const host = env.HOST?.trim() || DEFAULTS.host;
  checkListenHost(host, problems);
  const ipMode = (env.INGEST_IP || DEFAULTS.ipMode) as IpMode;
  if (!IP_MODES.includes(ipMode)) problems.push(`INGEST_IP must be anonymize, full or none, got "${ipMode}"`);
  if (env.INGEST_METRICS && !['on', 'off'].includes(env.INGEST_METRICS)) problems.push(`INGEST_METRICS must be on or off, got "${env.INGEST_METRICS}"`);
  // The app's own settings: named and ranged as createApp checks its options (option-checks.ts).
  const setting = (key: keyof typeof SETTING_RANGES, fallback: number): number => {
    const range: { min: number; max?: number } = SETTING_RANGES[key];
    return int(ENV_NAMES[key], fallback, range.min, range.max);
  };
  const rateLimitPerSecond = setting('rateLimitPerSecond', DEFAULTS.rateLimitPerSecond);
  const clientRateLimitPerSecond = setting('clientRateLimitPerSecond', 0);
  const config: IngestConfig = {
    host,
    port: int('PORT', DEFAULTS.port, 0, 65535),
    streamName: env.STREAM_NAME || DEFAULTS.streamName,
    badRowsStreamName: env.BAD_ROWS_STREAM_NAME || DEFAULTS.badRowsStreamName,
    writeKeys,
    allowedOrigins,
    maxBodyBytes: setting('maxBodyBytes', DEFAULTS.maxBodyBytes),
    maxDecompressedBytes: setting('maxDecompressedBytes', DEFAULTS.maxDecompressedBytes),
    maxEventBytes: setting('maxEventBytes', DEFAULTS.maxEventBytes),
    maxBatchEvents: setting('maxBatchEvents', DEFAULTS.maxBatchEvents),
    maxSegmentBatchEvents: setting('maxSegmentBatchEvents', DEFAULTS.maxSegmentBatchEvents),
    maxParsingBytes: setting('maxParsingBytes', DEFAULTS.maxParsingBytes),
    rateLimitPerSecond,
    rateLimitBurst: setting('rateLimitBurst', rateLimitPerSecond * 2),
    clientRateLimitPerSecond,
    clientRateLimitBurst: setting('clientRateLimitBurst', clientRateLimitPerSecond * 2),
    ipMode,
    trustedProxies: int('INGEST_TRUSTED_PROXIES', DEFAULTS.trustedProxies, 0, 10),
    logAllRequests: readSwitch(env, 'INGEST_LOG_REQUESTS', problems),
    metrics: (env.INGEST_METRICS || 'on') === 'on',
    stopDeadlineMs: int('INGEST_STOP_DEADLINE_MS', DEFAULTS.stopDeadlineMs, 1000, 3_600_000),
    requestTimeoutMs: int('INGEST_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 1000, 300_000),
    minBodyBytesPerSecond: int('INGEST_MIN_BODY_BYTES_PER_SECOND', DEFAULTS.minBodyBytesPerSecond, 0, 1024 * 1024),
    maxConnections: int('INGEST_MAX_CONNECTIONS', defaultMaxConnections(openFileLimit), 0, 1_000_000),
    adminPort: env.INGEST_ADMIN_PORT ? int('INGEST_ADMIN_PORT', 0, 0, 65535) : undefined,
    basePath: readBasePath(env, 'INGEST_BASE_PATH', problems),
    writer: {
      lingerMs: int('INGEST_LINGER_MS', DEFAULTS.lingerMs, 0, 1000),
      budgetMs: int('INGEST_WRITE_BUDGET_MS', DEFAULTS.budgetMs, 100, 60_000),
      maxBytesInFlight: int('INGEST_MAX_BYTES_IN_FLIGHT', DEFAULTS.maxBytesInFlight, 1024 * 1024),
      breakerFailures: int('INGEST_BREAKER_FAILURES', DEFAULTS.breakerFailures, 1),
      breakerCooldownMs: int('INGEST_BREAKER_COOLDOWN_MS', DEFAULTS.breakerCooldownMs, 100),
    },
    kinesis: { endpoint, region },
  };
  // The checks createApp makes of its options too (answer bound, inflation cap, stream names), in the order they always had here.
  const crossKeys = ['streamName', 'badRowsStreamName', 'maxBodyBytes', 'maxDecompressedBytes', 'maxBatchEvents', 'maxSegmentBatchEvents'] as const;
  const names = namesLeftOut(ENV_NAMES, Object.fromEntries(crossKeys.filter((key) => !env[ENV_NAMES[key]]).map((key) => [key, DEFAULTS[key]])));
  problems.push(...sizeProblems(config, names));
  if (env.INGEST_MAX_CONNECTIONS && openFileLimit !== undefined && config.maxConnections > openFileLimit - RESERVED_FILES) {
    problems.push(`INGEST_MAX_CONNECTIONS (${config.maxConnections}) must leave ${RESERVED_FILES} of the process's ${openFileLimit} open files (its hard limit, ulimit -Hn: Node raises the soft one to it) for Kinesis and Node: at most ${Math.max(0, openFileLimit - RESERVED_FILES)}, or raise the limit`);
  }
  problems.push(...streamNameProblems(config, names));
  // A burst for a limit that is off does nothing: the operator meant a limit and has none. (A rate refused
  // above has its own problem listed, not this one too.)
  for (const [burst, rate, value] of [['INGEST_RATE_LIMIT_BURST', 'INGEST_RATE_LIMIT_PER_SECOND', rateLimitPerSecond], ['INGEST_CLIENT_RATE_LIMIT_BURST', 'INGEST_CLIENT_RATE_LIMIT_PER_SECOND', clientRateLimitPerSecond]] as const) {
    if (value === 0 && env[burst] && !problems.some((p) => p.startsWith(`${rate} `))) problems.push(burstWithoutRate(burst, rate));
  }
  if (config.adminPort !== undefined && config.adminPort !== 0 && config.adminPort === config.port) problems.push(`INGEST_ADMIN_PORT must differ from PORT (both are ${config.port})`);
  problems.push(...sameStreamProblems(config, names));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function integerReader(env: Env, problems: string[]) {
  return (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer ${rangeWords(min, max)}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
}

function attempt<T>(problems: string[], parse: () => T, fallback: T): T {
  try {
    return parse();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return fallback;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
