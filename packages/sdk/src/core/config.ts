import type { Plugin } from './plugins';

/** What the host app passes to init(). */
export interface ClientConfig {
  /** Identifies the app/source; sent in the `writeKey` query parameter of every request. */
  writeKey: string;
  /** Ingest base URL, e.g. `https://ingest.example.com`; the SDK POSTs to `${endpoint}/v1/batch` (a trailing `/v1/batch` is left out; a trailing `/v1` is kept: it can be an API Gateway stage). */
  endpoint: string;
  /** Send as soon as this many events are queued. Default 20. */
  flushAt?: number;
  /** Send queued events at least this often, in ms. Default 5000. */
  flushIntervalMs?: number;
  /** Most events held; the oldest is dropped (with a 'drop' notice) beyond it. Default 1000. */
  maxQueue?: number;
  /** Most bytes (JSON) held in the queue; oldest dropped beyond it. Default 2 MB (1 MB on React Native). */
  maxQueueBytes?: number;
  /** Events older than this are dropped unsent ('expired'). Default 7 days. */
  maxEventAgeMs?: number;
  /** Most JSON in one request, in UTF-8 bytes of the uncompressed body (an event bigger alone goes alone). Default 512 KB. */
  maxBatchBytes?: number;
  /** First retry waits up to this (full jitter), doubling per failure. Default 1000. */
  retryBaseMs?: number;
  /** Longest wait between retries. Default 60000. */
  retryMaxMs?: number;
  /** A request with no answer after this long is aborted and retried like a network error. Default 30000. */
  requestTimeoutMs?: number;
  /** gzip request bodies with CompressionStream (`Content-Encoding: gzip`) where available. Default true. */
  compress?: boolean;
  /** A session ends after this much inactivity. Default 30 min. */
  sessionTimeoutMs?: number;
  /** 'pending': nothing stored, no id created, events held in memory until setConsent grants. Default 'granted'. */
  consent?: 'granted' | 'pending';
  /** Track a page view at init and on every SPA route change (web). Default true. */
  autoPage?: boolean;
  /** Before → enrichment → destination plugins. */
  plugins?: Plugin[];
  /** How long an unload batch is reserved for the tab that sent it before another tab may resend it. Default 10000. */
  leaseMs?: number;
}

export type ResolvedConfig = Required<Omit<ClientConfig, 'plugins'>> & { plugins: Plugin[] };

export const DEFAULTS = {
  flushAt: 20,
  flushIntervalMs: 5000,
  maxQueue: 1000,
  maxQueueBytes: 2_000_000,
  // Numbers written out (7 days, 30 min): esbuild keeps an unused object holding `7 * 24 * 3600_000`.
  maxEventAgeMs: 604_800_000,
  maxBatchBytes: 512_000,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  requestTimeoutMs: 30_000,
  sessionTimeoutMs: 1_800_000,
  leaseMs: 10_000,
} as const;

type IntKey = keyof typeof DEFAULTS;

const invalid = (name: string) => new TypeError(`eventline: invalid ${name}`);

/** Read and check the config once, at init. Throws on a config that cannot work (naming the key). */
export function resolveConfig(config: ClientConfig): ResolvedConfig {
  const { writeKey, endpoint } = config;
  if (typeof writeKey !== 'string' || writeKey === '') throw invalid('writeKey');
  if (typeof endpoint !== 'string' || !/^https?:\/\/[^/]/.test(endpoint)) throw invalid('endpoint');
  const ints = {} as Record<IntKey, number>;
  for (const key of Object.keys(DEFAULTS) as IntKey[]) {
    const value = config[key] ?? DEFAULTS[key];
    if (!Number.isInteger(value) || value < 1) throw invalid(key);
    ints[key] = value;
  }
  // Checked, not coerced: `consent: false` or `'denied'` read as granted would track what the page meant to hold back.
  const { consent = 'granted', compress = true, autoPage = true, plugins = [] } = config;
  const checks = { consent: consent == 'granted' || consent == 'pending', compress: compress === !!compress, autoPage: autoPage === !!autoPage, plugins: Array.isArray(plugins) };
  for (const key in checks) if (!checks[key as keyof typeof checks]) throw invalid(key);
  return { ...ints, writeKey, endpoint: endpoint.replace(/([^/])(\/v1\/batch)?\/*$/, '$1'), compress, consent, autoPage, plugins };
}
