import { parseWriteKeys, type WriteKeyEntry } from './write-keys';

export interface IngestConfig {
  host: string;
  port: number;
  streamName: string;
  badRowsStreamName: string;
  writeKeys: WriteKeyEntry[];
  maxBodyBytes: number;
  maxEventBytes: number;
  kinesis: { endpoint?: string; region: string };
}

/** Documented defaults; see README for why each is what it is. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  streamName: 'events',
  badRowsStreamName: 'events-bad',
  maxBodyBytes: 1024 * 1024,
  maxEventBytes: 32 * 1024,
  region: 'us-east-1',
} as const;

/** Read and validate the environment once, at start. Every problem is reported, not just the first. */
export function loadConfig(env: NodeJS.ProcessEnv): IngestConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${name} must be an integer ≥ ${min}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  let writeKeys: WriteKeyEntry[] = [];
  try {
    writeKeys = parseWriteKeys(env.INGEST_WRITE_KEYS ?? '');
  } catch (error) {
    problems.push((error as Error).message);
  }
  const endpoint = env.KINESIS_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) problems.push(`KINESIS_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  const config: IngestConfig = {
    host: env.HOST || DEFAULTS.host,
    port: int('PORT', DEFAULTS.port, 0),
    streamName: env.STREAM_NAME || DEFAULTS.streamName,
    badRowsStreamName: env.BAD_ROWS_STREAM_NAME || DEFAULTS.badRowsStreamName,
    writeKeys,
    maxBodyBytes: int('INGEST_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1024),
    maxEventBytes: int('INGEST_MAX_EVENT_BYTES', DEFAULTS.maxEventBytes, 256),
    kinesis: { endpoint, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULTS.region },
  };
  if (config.port > 65535) problems.push(`PORT must be ≤ 65535, got ${config.port}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
