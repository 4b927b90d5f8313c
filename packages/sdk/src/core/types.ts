import type { ClientEvent } from '@eventline/schemas';

/**
 * Where the SDK keeps what must survive a reload (device id, seq, the offline queue). Async so that
 * IndexedDB and React Native AsyncStorage fit behind the same seam as localStorage.
 */
export interface Storage {
  get<T>(key: string): Promise<T | undefined>;
  /** Keys starting with `prefix`, where listing them is much cheaper than reading the values (IndexedDB). */
  keys?(prefix: string): Promise<string[]>;
  /** Every entry whose key starts with `prefix` (the offline queue keeps one entry per event). */
  entries<T>(prefix: string): Promise<[string, T][]>;
  setMany(entries: [string, unknown][]): Promise<void>;
  removeMany(keys: string[]): Promise<void>;
  /** Atomically add `count` to the number at `key` (absent: 0), across tabs; resolves with the value before. */
  reserve?(key: string, count: number): Promise<number>;
  /** Where it falls back from one store to another for a reason worth reporting (IndexedDB that never opened). */
  onFallback?(listener: (error: unknown) => void): void;
  /**
   * `false`: what it holds ends with the process (`createMemoryStorage()`). The Node client's close()
   * then keeps retrying and reports what is left as a 'drop' (reason 'closed'); absent or `true`, the
   * events it did not deliver are left stored for the next start.
   */
  persistent?: boolean;
}

/**
 * What the core works with (see `withFullStorage`): `keys` and `reserve` present. No `entries`: the
 * core lists keys, then reads, so the browser adapters have none and the <script> build ships none.
 */
export type CoreStorage = Omit<Storage, 'entries' | 'keys' | 'reserve'> & Required<Pick<Storage, 'keys' | 'reserve'>>;
/** A Storage with every part present (the memory storage the npm entries export). */
export type FullStorage = Storage & CoreStorage;

export interface TransportResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

export interface SendOptions {
  /** Let the request outlive the page (any send whose body fits the page's 64 KiB keepalive budget). */
  keepalive?: boolean;
  /** Aborted when the core stops waiting (requestTimeoutMs); a transport should cancel the request. */
  signal?: AbortSignal;
}

/** How a batch reaches the ingest. Resolves with any HTTP status; throws only on network error. */
export interface Transport {
  send(url: string, body: string | Uint8Array, headers: Record<string, string>, options?: SendOptions): Promise<TransportResponse>;
}

/**
 * Page / app lifecycle moments the core reacts to. `cached`: the page went into the back/forward cache
 * (after `hidden`); `restored`: it came back out of it (visible, and a page view with autoPage).
 */
export type LifecycleEvent = 'hidden' | 'visible' | 'online' | 'cached' | 'restored';

/**
 * A cross-tab mutual exclusion: `run` holds the named lock until the promise it returns settles. A
 * lock that can be lost while held (the localStorage lease) passes `held`, false once it is lost, and
 * calls `run` again when it is regained. A rejection means there is no lock to share (site data blocked).
 */
export type LockFn = (name: string, run: (held?: () => boolean) => Promise<void>) => Promise<void> | void;

export type EventContext = ClientEvent['context'];
/** The context a platform adapter knows about; the core adds `library`. */
export type PlatformContext = Omit<EventContext, 'library'>;

/** Everything the core needs from the runtime it runs in. Optional parts are absent where the runtime lacks them. */
export interface Platform {
  storage: Storage;
  transport: Transport;
  /** Cryptographically strong where the runtime allows it. */
  randomBytes: (length: number) => Uint8Array;
  /** Read at every event: page and screen can change between events. */
  context: () => PlatformContext;
  /** gzip a request body (CompressionStream); absent where the runtime has none. */
  gzip?: (text: string) => Promise<Uint8Array>;
  /** Last-resort unload delivery (navigator.sendBeacon). True means queued by the browser, not delivered. */
  beacon?: (url: string, body: string) => boolean;
  /** Subscribe to lifecycle moments; returns an unsubscribe. */
  lifecycle?: (listener: (event: LifecycleEvent) => void) => () => void;
  /** Hold a lock shared by every tab of this origin for as long as the tab lives (Web Locks); absent: single sender. */
  lock?: LockFn;
  /** Synchronous key/value (localStorage) for what must be written during unload: batch leases. */
  syncStore?: { get(key: string): string | null; set(key: string, value: string): void };
  /** Landing URL and referrer for attribution (web); absent elsewhere. */
  landing?: () => { url?: string; referrer?: string };
  /** Route changes of a single-page app (history API); returns an unsubscribe. */
  onRouteChange?: (listener: () => void) => () => void;
  /** Runs `start` now, or once the page is shown to the visitor (a prerendered page: at its activation). */
  whenShown?: (start: () => void) => void;
  now?: () => number;
}

/** The platform the core runs on: its storage has `keys` and `reserve`, and it measures UTF-8 (keepalive's 64 KiB). */
export type CorePlatform = Omit<Platform, 'storage'> & { storage: CoreStorage; utf8Length: (text: string) => number };
