/** What the host app passes to init(). */
export interface ClientConfig {
  /** Identifies the app/source; sent as the Basic auth username. */
  writeKey: string;
  /** Ingest base URL, e.g. `https://ingest.example.com`; the SDK POSTs to `${endpoint}/v1/batch`. */
  endpoint: string;
  /** Send as soon as this many events are queued. Default 20. */
  flushAt?: number;
  /** Send queued events at least this often, in ms. Default 5000. */
  flushIntervalMs?: number;
  /** Most events held in memory; the oldest is dropped (with a 'drop' event) beyond it. Default 1000. */
  maxQueue?: number;
}

export type ResolvedConfig = Required<ClientConfig>;

export const DEFAULTS = { flushAt: 20, flushIntervalMs: 5000, maxQueue: 1000 } as const;

/** Read and check the config once, at init. Throws on a config that cannot work. */
export function resolveConfig(config: ClientConfig): ResolvedConfig {
  if (typeof config.writeKey !== 'string' || config.writeKey === '') {
    throw new TypeError('eventline: writeKey must be a non-empty string');
  }
  if (typeof config.endpoint !== 'string' || !/^https?:\/\/[^/]/.test(config.endpoint)) {
    throw new TypeError('eventline: endpoint must be an http(s) URL');
  }
  return {
    writeKey: config.writeKey,
    endpoint: config.endpoint.replace(/\/+$/, ''),
    flushAt: positiveInt('flushAt', config.flushAt, DEFAULTS.flushAt),
    flushIntervalMs: positiveInt('flushIntervalMs', config.flushIntervalMs, DEFAULTS.flushIntervalMs),
    maxQueue: positiveInt('maxQueue', config.maxQueue, DEFAULTS.maxQueue),
  };
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`eventline: ${name} must be a positive integer`);
  }
  return value;
}
