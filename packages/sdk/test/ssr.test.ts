import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEventline, init, track, identify, flush, getDeviceId, on } from '../src/index';
import { ENDPOINT, WRITE_KEY } from './support';

afterEach(() => vi.restoreAllMocks());

// This file runs in Node without a DOM: what a server rendering the page (SSR) sees.
describe('the browser entry during server rendering (no document)', () => {
  it('init() and calls do nothing: no throw, no timer, no request, nothing stored', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const fetches = vi.spyOn(globalThis, 'fetch');
    const drops: unknown[] = [];
    on('drop', (n) => drops.push(n));
    track('before_init');
    const client = init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    identify('user-1');
    track('rendered', { n: 1 });
    client.page();
    await flush();
    await client.close();
    await expect(getDeviceId()).rejects.toThrow(/server rendering/);
    expect(timers).not.toHaveBeenCalled();
    expect(intervals).not.toHaveBeenCalled();
    expect(fetches).not.toHaveBeenCalled();
    expect(drops).toEqual([]);
  });

  it('createEventline() is the same no-op client: no page view from the server, no timer, no request', async () => {
    // A shared `lib/analytics.ts` doing `export const analytics = createEventline(…)` is evaluated on
    // the server too. A real client there sent a page view (autoPage) at every server start, and each
    // call made while rendering, all with the server's one device id and no page context.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const fetches = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no request expected'));
    const analytics = createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    const notices: unknown[] = [];
    for (const name of ['sent', 'error', 'drop'] as const) analytics.on(name, (n) => notices.push(n));
    analytics.track('rendered_on_the_server');
    await analytics.flush();
    await analytics.close();
    await expect(analytics.getDeviceId()).rejects.toThrow(/server rendering/);
    expect(fetches).not.toHaveBeenCalled();
    expect(timers).not.toHaveBeenCalled();
    expect(notices).toEqual([]);
  });

  it('even with a config the browser would refuse (the server may not have the browser env)', () => {
    expect(() => init({ writeKey: '', endpoint: '' })).not.toThrow();
    expect(() => createEventline({ writeKey: '', endpoint: '' })).not.toThrow();
  });
});
