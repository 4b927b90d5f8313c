/**
 * The only file in the SDK that reads runtime globals (globalThis, window, navigator, document,
 * location, screen, localStorage, fetch, crypto). Everything else receives what it needs from here,
 * so the core runs unchanged in a browser, a worker, Node or React Native.
 */

/** The browser objects the context reader uses; any of them may be missing (worker, SSR, Node). */
export interface BrowserScope {
  location?: { href?: string; pathname?: string };
  document?: { referrer?: string; title?: string };
  navigator?: { language?: string; userAgent?: string };
  screen?: { width?: number; height?: number };
  devicePixelRatio?: number;
}

/** The part of the Web Storage API the SDK uses. */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
export type FetchFn = typeof fetch;

type Scope = typeof globalThis & Partial<BrowserScope>;

function scope(): Scope | undefined {
  return typeof globalThis === 'object' ? globalThis : undefined;
}

export function getBrowserScope(): BrowserScope {
  const g = scope();
  if (!g) return {};
  return {
    location: g.location,
    document: g.document,
    navigator: g.navigator,
    screen: g.screen,
    devicePixelRatio: g.devicePixelRatio,
  };
}

/**
 * `window.localStorage` itself throws (SecurityError) when storage is blocked, e.g. Safari with
 * cookies disabled or a sandboxed iframe: that counts as "no localStorage", never as a page error.
 */
export function getLocalStorage(): WebStorage | undefined {
  try {
    return scope()?.localStorage ?? undefined;
  } catch {
    return undefined; // handled: the caller falls back to memory storage
  }
}

/** fetch bound to its global: calling an unbound `window.fetch` throws "Illegal invocation". */
export function getFetch(): FetchFn | undefined {
  const g = scope();
  return typeof g?.fetch === 'function' ? g.fetch.bind(g) : undefined;
}

/** crypto.getRandomValues where available; Math.random otherwise (ids stay unique enough, not secret). */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const crypto = scope()?.crypto;
  if (crypto && typeof crypto.getRandomValues === 'function') return crypto.getRandomValues(bytes);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

/** For the <script> build: `window.eventline = api`. */
export function exposeGlobal(name: string, value: unknown): void {
  const g = scope() as Record<string, unknown> | undefined;
  if (g) g[name] = value;
}
