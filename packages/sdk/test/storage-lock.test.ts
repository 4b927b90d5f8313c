import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStorageLock } from '../src/platform/browser/storage-lock';

afterEach(() => vi.useRealTimers());

function sharedStore() {
  const map = new Map<string, string>();
  return { map, get: (k: string) => map.get(k) ?? null, set: (k: string, v: string) => void map.set(k, v) };
}

describe('localStorage lock (no Web Locks)', () => {
  it('one holder at a time; a closed holder’s lease expires and the next tab takes over', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    const held: string[] = [];
    let releaseA: () => void = () => undefined;
    const lockA = createStorageLock(store, 'tab-a', () => Date.now());
    const lockB = createStorageLock(store, 'tab-b', () => Date.now());
    void lockA('sender', () => new Promise<void>((resolve) => ((releaseA = resolve), held.push('a'))));
    void lockB('sender', () => new Promise<void>(() => void held.push('b')));
    await vi.advanceTimersByTimeAsync(3000);
    expect(held).toEqual(['a']); // B sees A's renewed lease and waits

    releaseA(); // tab A closes properly: the lease is cleared
    await vi.advanceTimersByTimeAsync(2000);
    expect(held).toEqual(['a', 'b']);
  });

  it('a tab that vanishes without releasing loses the lease after ttlMs', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    store.set('eventline.lock.sender', JSON.stringify({ owner: 'crashed-tab', until: Date.now() + 4000 }));
    const held: string[] = [];
    void createStorageLock(store, 'tab-b', () => Date.now())('sender', () => new Promise<void>(() => void held.push('b')));
    await vi.advanceTimersByTimeAsync(3000);
    expect(held).toEqual([]);
    await vi.advanceTimersByTimeAsync(2500);
    expect(held).toEqual(['b']);
  });
});
