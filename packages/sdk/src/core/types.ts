import type { ClientEvent } from '@eventline/schemas';

/**
 * Where the SDK keeps what must survive a reload (device id, seq). Async so that
 * IndexedDB and React Native AsyncStorage fit behind the same seam as localStorage.
 */
export interface Storage {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface TransportResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

/** How a batch reaches the ingest. Resolves with any HTTP status; throws only on network error. */
export interface Transport {
  send(url: string, body: string, headers: Record<string, string>): Promise<TransportResponse>;
}

export type EventContext = ClientEvent['context'];
/** The context a platform adapter knows about; the core adds `library`. */
export type PlatformContext = Omit<EventContext, 'library'>;

/** Everything the core needs from the runtime it runs in. */
export interface Platform {
  storage: Storage;
  transport: Transport;
  /** Cryptographically strong where the runtime allows it. */
  randomBytes: (length: number) => Uint8Array;
  /** Read at every track() call: page and screen can change between events. */
  context: () => PlatformContext;
}
