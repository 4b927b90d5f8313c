/**
 * The only file in the SDK that reads runtime globals (globalThis, window, navigator, document,
 * location, screen, localStorage, fetch, crypto). Everything else receives what it needs from here,
 * so the core runs unchanged in a browser, a worker, Node or React Native.
 */

import { readJson } from '../../core/sync-json';
import type { LifecycleEvent } from '../../core/types';

const STUB_KEY = 'eventline.stub';

/** The browser objects the context reader uses; any of them may be missing (worker, SSR, Node). */
export interface BrowserScope {
  location?: { href?: string; pathname?: string };
  document?: { referrer?: string; title?: string };
  navigator?: { language?: string; userAgent?: string };
  screen?: { width?: number; height?: number };
  devicePixelRatio?: number;
  /** Where the runtime has it: the time zone without Intl's date formatting data (see context.ts). */
  Temporal?: { Now: { timeZoneId(): string } };
}

/** The part of the Web Storage API the SDK uses. */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;
export type FetchFn = typeof fetch;

type Scope = typeof globalThis & Partial<BrowserScope>;

/** Every runtime the SDK supports (ES2020) has globalThis; properties on it may still be missing. */
const g = globalThis as Scope;

/**
 * Rendering on a server (SSR in Node, Deno, Bun): no document, and neither a worker (importScripts)
 * nor React Native, which have none either and do run the SDK.
 */
export function isServer(): boolean {
  const scope = g as { importScripts?: unknown; navigator?: { product?: string } };
  return !hasDocument() && typeof scope.importScripts !== 'function' && scope.navigator?.product !== 'ReactNative';
}

/** A document exists: a page (a worker, React Native and a server have none). */
export function hasDocument(): boolean {
  return !!g.document;
}

/** Node's `process` (its `beforeExit` event), where there is one: the Node entry only (the bundles drop it). */
export function getProcess(): { on(event: 'beforeExit', listener: () => void): unknown } | undefined {
  const p = (g as { process?: { on?: unknown } }).process;
  return typeof p?.on === 'function' ? (p as ReturnType<typeof getProcess>) : undefined;
}

/** The global itself: it has location, document, … where they exist (read each time, never copied). */
export function getBrowserScope(): BrowserScope {
  return g;
}

/**
 * `window.localStorage` itself throws (SecurityError) when storage is blocked, e.g. Safari with
 * cookies disabled or a sandboxed iframe: that counts as "no localStorage", never as a page error.
 */
export function getLocalStorage(): WebStorage | undefined {
  try {
    return g.localStorage ?? undefined;
  } catch {
    return undefined; // handled: the caller falls back to memory storage
  }
}

/** fetch bound to its global: calling an unbound `window.fetch` throws "Illegal invocation". */
export function getFetch(): FetchFn | undefined {
  return typeof g.fetch === 'function' ? g.fetch.bind(g) : undefined;
}

/**
 * Bytes from Math.random: where no working crypto.getRandomValues exists (ids stay unique enough, not
 * secret). `count`, not `length`: terser inlines it into randomBytes as it was (with `{ length }` it
 * kept a call: +5 B gzip).
 */
export function mathRandomBytes(count: number): Uint8Array {
  return Uint8Array.from({ length: count }, () => Math.floor(Math.random() * 256));
}

let pool = /* @__PURE__ */ new Uint8Array(0);
let used = 0;

/**
 * crypto.getRandomValues where available (drawn 4 KiB at a time: one call per event costs more than
 * the rest of an id); Math.random otherwise (ids stay unique enough, not secret).
 */
export function randomBytes(length: number): Uint8Array {
  const crypto = g.crypto;
  if (!crypto || typeof crypto.getRandomValues !== 'function') return mathRandomBytes(length);
  if (used + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(4096, length)));
    used = 0;
  }
  used += length;
  // A view, not a copy: the pool is replaced when used up, never overwritten.
  return pool.subarray(used - length, used);
}

/** Bytes of a string as UTF-8 (every browser the SDK runs in has TextEncoder). */
export function utf8Length(text: string): number {
  return new g.TextEncoder().encode(text).length;
}

/** For the <script> build: `window.eventline = api`. */
export function exposeGlobal(name: string, value: unknown): void {
  (g as Record<string, unknown>)[name] = value;
}

/**
 * True when IndexedDB exists (it may still fail to open: private modes, blocked storage). A throwing
 * getter throws here: the storage tier that asks falls back, as when the open fails.
 */
export function hasIndexedDb(): boolean {
  return typeof g.indexedDB?.open === 'function';
}

/** gzip with CompressionStream, where the runtime has it. */
export function getGzip(): ((text: string) => Promise<Uint8Array>) | undefined {
  const { CompressionStream: Gzip, Response: Res, Blob: Bytes } = g as Partial<Scope>;
  if (!Gzip || !Res || !Bytes) return undefined;
  return async (text) => new Uint8Array(await new Res(new Bytes([text]).stream().pipeThrough(new Gzip('gzip'))).arrayBuffer());
}

/** navigator.sendBeacon bound to navigator; the body goes as text/plain. */
export function getBeacon(): ((url: string, body: string) => boolean) | undefined {
  const nav = g.navigator;
  return typeof nav?.sendBeacon === 'function' ? (url, body) => nav.sendBeacon(url, body) : undefined;
}

/** Web Locks: `run` holds the lock until its promise settles (called without the browser's Lock object: a Web Lock is never lost). */
export function getLocks(): ((name: string, run: () => Promise<void>) => Promise<void>) | undefined {
  const locks = g.navigator?.locks;
  return typeof locks?.request === 'function' ? (name, run) => locks.request(name, () => run()).then(() => undefined) : undefined;
}

type Listening = [EventTarget | undefined, string, (event: Event) => void][];

/** Adds each listener; returns the undo. */
function listen(on: Listening): () => void {
  for (const [target, type, fn] of on) target?.addEventListener(type, fn);
  return () => {
    for (const [target, type, fn] of on) target?.removeEventListener(type, fn);
  };
}

/**
 * visibilitychange / pagehide (never `unload`: it breaks the back/forward cache), pageshow and online.
 * A pagehide into the back/forward cache (`persisted`) is `hidden`, then `cached`; a pageshow out of
 * it is `restored` (visible, whether or not visibilitychange said so too). Returns an unsubscribe.
 */
export function listenLifecycle(listener: (event: LifecycleEvent) => void): () => void {
  const doc = g.document;
  if (typeof g.addEventListener !== 'function') return () => undefined;
  return listen([
    [doc, 'visibilitychange', () => listener(doc?.visibilityState === 'hidden' ? 'hidden' : 'visible')],
    [g, 'pagehide', (event) => (listener('hidden'), (event as PageTransitionEvent).persisted && listener('cached'))],
    [g, 'pageshow', (event) => (event as PageTransitionEvent).persisted && listener('restored')],
    [g, 'online', () => listener('online')],
  ]);
}

/** SPA route changes: history.pushState / replaceState and popstate, once per new URL. Returns an unsubscribe. */
export function listenRoutes(listener: () => void): () => void {
  if (typeof g.addEventListener !== 'function') return () => undefined;
  let href = g.location?.href;
  let active = true;
  const onRoute = () => {
    if (!active || g.location?.href === href) return;
    href = g.location?.href;
    listener();
  };
  const off = listen([[g, 'popstate', onRoute]]);
  const restore = patchHistory(g.history, onRoute);
  return () => {
    active = false;
    off();
    restore();
  };
}

/**
 * history.pushState / replaceState call `after` once they ran; returns the undo. The undo puts the
 * original back only while our wrapper is still the one installed: a router that wrapped it after us
 * keeps its wrapper (ours, under it, then only passes calls through).
 */
function patchHistory(history: History | undefined, after: () => void): () => void {
  if (!history) return () => undefined;
  const undos = (['pushState', 'replaceState'] as const).map((name) => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back; called with `history` below
    const original = history[name];
    const patched = function patchedHistory(...args: Parameters<History['pushState']>) {
      original.apply(history, args);
      after();
    };
    history[name] = patched;
    return () => history[name] === patched && (history[name] = original);
  });
  return () => undos.forEach((undo) => undo());
}

/**
 * `start` now, or at `prerenderingchange` for a page prerendered (speculation rules) that the visitor
 * has not opened yet: it may never be (MDN: defer analytics until activation).
 */
export function whenShown(start: () => void): void {
  const doc = g.document as (Document & { prerendering?: boolean }) | undefined;
  if (doc?.prerendering) doc.addEventListener('prerenderingchange', start, { once: true });
  else start();
}

/** Landing URL and referrer, read once at init for attribution. */
export function getLanding(): { url?: string; referrer?: string } {
  return { url: g.location?.href, referrer: g.document?.referrer || undefined };
}

/**
 * One value per global, kept under a registered symbol: every copy of the SDK in the page gets the
 * first one made. A bundle can hold two (the ESM build for `import`, the CJS build for a dependency's
 * `require`; or two versions), and each had its own page-wide instance: the one no code `init()`ed
 * held its calls in memory and never sent them. `name` carries the API version, and `fits` checks what
 * another copy left there before it is used: a value that does not fit, or a global that takes no new
 * property (frozen: SES lockdown, where assigning throws), leaves this copy with its own. The caller
 * keeps what is returned (each call makes a new one where it cannot be shared); `shared` is false when
 * the value is this copy's alone.
 */
export function globalShared<T>(name: string, make: () => T, fits: (found: unknown) => found is T): { value: T; shared: boolean } {
  const slots = g as unknown as Record<symbol, unknown>;
  const key = Symbol.for(name);
  const found = slots[key];
  if (fits(found)) return { value: found, shared: true };
  const value = make();
  if (found === undefined) {
    try {
      slots[key] = value;
      return { value, shared: true };
    } catch {
      // handled: a frozen global; this copy keeps its own instance (the caller says so)
    }
  }
  return { value, shared: false };
}

export function readGlobal(name: string): unknown {
  return (g as Record<string, unknown>)[name];
}

/** Calls a snippet saved on pagehide because the SDK file had not arrived; read once, then removed. */
export function takeStoredStub(): unknown[] {
  const ls = getLocalStorage();
  let calls = readJson(ls && { get: (key) => ls.getItem(key) }, STUB_KEY);
  try {
    ls?.removeItem(STUB_KEY); // a no-op when there is none (no storage event either)
    // On a page with Prototype.js 1.6 (its Array#toJSON returns a string) the snippet stored the calls as a string of JSON,
    // written by Prototype's serializer, which leaves undefined arguments out: a page(undefined, {…}) came back as
    // page({…}), a drop. Only setConsent() takes an object first (init() is not replayed from here), so an object
    // first in any other call had an undefined before it.
    if (typeof calls === 'string')
      (calls = JSON.parse(calls) as unknown[][]).map((c) => c?.[2] instanceof Object && c[1] != 'setConsent' && c.splice(2, 0, undefined));
  } catch {
    // handled: blocked storage (the calls are replayed all the same), or a string that is no JSON (none to replay)
  }
  return Array.isArray(calls) ? calls.filter(Array.isArray) : [];
}
