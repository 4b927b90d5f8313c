/* eslint-disable @typescript-eslint/unbound-method -- these tests compare history's methods by identity */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenLifecycle, listenRoutes } from '../src/platform/browser/global-scope';

afterEach(() => vi.unstubAllGlobals());

/** A window with a history that changes `location.href` as a browser's does, and popstate listeners. */
function stubWindow() {
  const location = { href: 'https://shop.example/' };
  const listeners = new Map<string, Set<(event: object) => void>>();
  const pushState = (_data: unknown, _unused: string, url?: string | URL | null) => {
    if (url) location.href = new URL(String(url), location.href).href;
  };
  const history = { pushState, replaceState: pushState } as unknown as History;
  vi.stubGlobal('location', location);
  vi.stubGlobal('history', history);
  vi.stubGlobal('addEventListener', (type: string, fn: (event: object) => void) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(fn));
  vi.stubGlobal('removeEventListener', (type: string, fn: (event: object) => void) => void listeners.get(type)?.delete(fn));
  // As a browser does, each listener gets the event (pagehide / pageshow: with `persisted`).
  const fire = (type: string, event: object = { persisted: false }) => listeners.get(type)?.forEach((fn) => fn(event));
  return { location, history, listeners, fire, pushState };
}

describe('browser route changes', () => {
  it('tells each new URL once, from pushState, replaceState and popstate', () => {
    const win = stubWindow();
    const seen: string[] = [];
    const off = listenRoutes(() => seen.push(win.location.href));
    win.history.pushState(null, '', '/cart');
    win.history.replaceState(null, '', '/cart'); // same URL: no route change
    win.history.replaceState(null, '', '/cart?step=2');
    win.location.href = 'https://shop.example/';
    win.fire('popstate');
    expect(seen).toEqual(['https://shop.example/cart', 'https://shop.example/cart?step=2', 'https://shop.example/']);
    off();
    win.history.pushState(null, '', '/after');
    win.fire('popstate');
    expect(seen).toHaveLength(3);
    expect(win.history.pushState).toBe(win.pushState); // our wrapper was on top: the original is back
    expect(win.listeners.get('popstate')?.size).toBe(0);
  });

  it('leaves a router\'s later wrapper of history in place when it stops listening, and goes quiet under it', () => {
    const win = stubWindow();
    const seen: string[] = [];
    const off = listenRoutes(() => seen.push(win.location.href));
    const ours = win.history.pushState;
    const routerSaw: string[] = [];
    const routers = function routerPushState(this: History, ...args: Parameters<History['pushState']>) {
      ours.apply(this, args);
      routerSaw.push(win.location.href);
    };
    win.history.pushState = routers;
    off();
    expect(win.history.pushState).toBe(routers);
    win.history.pushState(null, '', '/later');
    expect(routerSaw).toEqual(['https://shop.example/later']);
    expect(seen).toEqual([]);
  });

  it('listens to the lifecycle without touching history', () => {
    const win = stubWindow();
    const events: string[] = [];
    const off = listenLifecycle((event) => events.push(event));
    expect(win.history.pushState).toBe(win.pushState);
    win.fire('pagehide');
    win.fire('online');
    expect(events).toEqual(['hidden', 'online']);
    off();
    win.fire('pagehide');
    expect(events).toHaveLength(2);
  });

  it('a page going into the back/forward cache is hidden, then cached; one coming back from it is restored', () => {
    const win = stubWindow();
    const events: string[] = [];
    listenLifecycle((event) => events.push(event));
    win.fire('pageshow'); // a first load: nothing to report
    win.fire('pagehide', { persisted: true });
    win.fire('pageshow', { persisted: true });
    expect(events).toEqual(['hidden', 'cached', 'restored']);
  });
});
