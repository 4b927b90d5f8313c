import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultInstance } from '../src/default-instance';
import { createClient } from '../src/core/client';
import { withFullStorage } from '../src/core/full-storage';
import { createNodePlatform } from '../src/platform/node/platform';
import { ENDPOINT, ingestSuite, WRITE_KEY } from './support';

const { ingest, clients } = ingestSuite();
afterEach(() => {
  delete (globalThis as { eventline?: unknown }).eventline;
});

function instance() {
  return createDefaultInstance((config) => clients.keep(createClient(config, withFullStorage(createNodePlatform()))));
}

describe('default instance', () => {
  it('replays track() and on() calls made before init()', async () => {
    const api = instance();
    const sent: number[] = [];
    api.on('sent', (n) => sent.push(n.accepted));
    api.track('early', { n: 1 });
    await api.flush(); // nothing to send yet, and no error
    expect(ingest.received).toHaveLength(0);

    api.init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    api.track('later');
    await api.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['early', 'later']);
    expect(sent).toEqual([2]);
  });

  it('past 1000 calls before init(), only the oldest event calls are discarded: listeners and opt-out stay', async () => {
    const api = instance();
    const sent: number[] = [];
    api.on('sent', (n) => sent.push(n.accepted));
    api.track('first');
    api.optOut();
    for (let i = 0; i < 1000; i++) api.track('burst');
    api.optIn();
    api.track('last');
    const drops: { reason: string; message: string; events: number }[] = [];
    api.on('drop', (n) => drops.push({ reason: n.reason, message: n.message, events: n.events.length }));
    api.init({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushAt: 5000 });
    await api.flush();
    // The opt-out was kept in its place: the burst made while opted out is dropped, not sent.
    expect(ingest.events().map((e) => e.event)).toEqual(['last']);
    expect(sent).toEqual([1]);
    // Nothing is dropped silently: the 6 calls past 1000 discarded ('first' and the burst's oldest 5) are told once,
    // to the listeners added before init(); the rest of the burst, made while opted out, as consent drops.
    expect(drops[0]).toEqual({ reason: 'queue_full', message: '6 calls before init() discarded', events: 0 });
    expect(drops.slice(1).every((d) => d.reason === 'consent')).toBe(true);
  });

  it('keeps every listener and state call before init(), however many there are', async () => {
    const api = instance();
    const sent: number[] = [];
    api.on('sent', (n) => sent.push(n.accepted));
    for (let i = 0; i < 1000; i++) api.on('error', () => undefined);
    api.optOut();
    api.optIn();
    api.init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    api.track('a');
    await api.flush();
    // The first listener, 1002 calls back, is still there.
    expect(sent).toEqual([1]);
  });

  it('init() is idempotent and getDeviceId() needs init', async () => {
    const api = instance();
    await expect(api.getDeviceId()).rejects.toThrow(/init/);
    const first = api.init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    expect(api.init({ writeKey: 'other', endpoint: ENDPOINT })).toBe(first);
    expect(await api.getDeviceId()).toBe(await first.getDeviceId());
  });

  it('an unsubscribed early listener is never attached', async () => {
    const api = instance();
    const seen: unknown[] = [];
    const off = api.on('sent', (n) => seen.push(n));
    off();
    api.init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    api.track('a');
    await api.flush();
    expect(seen).toEqual([]);
  });

  it('the <script> entry exposes window.eventline', async () => {
    await import('../src/iife');
    const api = (globalThis as { eventline?: Record<string, unknown> }).eventline;
    expect(Object.keys(api ?? {}).sort()).toEqual(
      ['alias', 'anonymize', 'flush', 'getDeviceId', 'group', 'identify', 'init', 'on', 'optIn', 'optOut', 'page', 'reset', 'screen', 'setConsent', 'track'],
    );
    expect(Object.values(api ?? {}).every((f) => typeof f === 'function')).toBe(true);
  });
});
