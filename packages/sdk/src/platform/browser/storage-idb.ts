import { createStore, delMany, entries, get, setMany } from 'idb-keyval';
import type { Storage } from '../../core/types';

/** IndexedDB through idb-keyval, in its own database so the page's default idb-keyval store is untouched. */
export function createIdbStorage(): Storage {
  const store = createStore('eventline', 'kv');
  return {
    get: <T>(key: string) => get<T>(key, store),
    entries: async <T>(prefix: string) =>
      (await entries<string, T>(store)).filter(([key]) => typeof key === 'string' && key.startsWith(prefix)),
    setMany: (items) => setMany(items, store),
    removeMany: (keys) => delMany(keys, store),
  };
}
