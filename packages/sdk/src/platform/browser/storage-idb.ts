import { createStore, promisifyRequest } from 'idb-keyval';
import type { FullStorage } from '../../core/types';

/**
 * IndexedDB through idb-keyval's store (connection handling, transactions as promises), in its own
 * database so the page's default idb-keyval store is untouched. Reads use getAll/getAllKeys (every
 * browser with Web Locks has them), so idb-keyval's cursor fallback is not bundled.
 */
export function createIdbStorage(): FullStorage {
  const store = createStore('eventline', 'kv');
  return {
    get: <T>(key: string) => store('readonly', (s) => promisifyRequest(s.get(key) as IDBRequest<T | undefined>)),
    entries: <T>(prefix: string) =>
      store('readonly', (s) =>
        Promise.all([promisifyRequest(s.getAllKeys()), promisifyRequest(s.getAll() as IDBRequest<T[]>)]).then(([keys, values]) =>
          keys.flatMap((key, i) => (typeof key === 'string' && key.startsWith(prefix) ? [[key, values[i] as T] as [string, T]] : [])),
        ),
      ),
    keys: (prefix) =>
      store('readonly', (s) => promisifyRequest(s.getAllKeys())).then((keys) =>
        keys.filter((key): key is string => typeof key === 'string' && key.startsWith(prefix)),
      ),
    setMany: (items) =>
      store('readwrite', (s) => {
        for (const [key, value] of items) s.put(value, key);
        return promisifyRequest(s.transaction);
      }),
    removeMany: (keys) =>
      store('readwrite', (s) => {
        for (const key of keys) s.delete(key);
        return promisifyRequest(s.transaction);
      }),
    // Read and write in one readwrite transaction: other tabs' transactions on this store wait for it.
    reserve: (key, count) =>
      store('readwrite', (s) => {
        let start = 0;
        const request = s.get(key) as IDBRequest<unknown>;
        request.onsuccess = () => {
          start = typeof request.result === 'number' ? request.result : 0;
          s.put(start + count, key);
        };
        return promisifyRequest(s.transaction).then(() => start);
      }),
  };
}
