import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { CoreStorage } from '../../core/types';

/**
 * IndexedDB through idb-keyval's store (connection handling, transactions as promises), in its own
 * database so the page's default idb-keyval store is untouched. Keys are listed with getAllKeys (every
 * browser with Web Locks has it), so idb-keyval's cursor fallback is not bundled.
 */
export function createIdbStorage(): CoreStorage {
  let opened = createStore('eventline', 'kv');
  /**
   * Another tab's or the page's deleteDatabase('eventline') (a logout, say) or upgrade waits until
   * every connection closes: ours closes at its versionchange (idb-keyval's createStore never does, and
   * hides the connection but for each transaction's `db`), and the next call opens a new one.
   */
  const store: UseStore = (mode, callback) =>
    opened(mode, (s) => {
      const db = s.transaction.db;
      db.onversionchange = () => {
        db.close();
        opened = createStore('eventline', 'kv');
      };
      return callback(s);
    });
  return {
    get: <T>(key: string) => store('readonly', (s) => promisifyRequest(s.get(key) as IDBRequest<T | undefined>)),
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
