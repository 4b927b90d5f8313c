import type { Storage } from '../../core/types';

/**
 * The part of `@react-native-async-storage/async-storage` the SDK uses (declared here so the
 * package stays an optional peer dependency: pass its default export).
 */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null>;
  getAllKeys(): Promise<readonly string[]>;
  multiGet(keys: readonly string[]): Promise<readonly (readonly [string, string | null])[]>;
  multiSet(pairs: [string, string][]): Promise<void>;
  multiRemove(keys: readonly string[]): Promise<void>;
}

/**
 * AsyncStorage behind the Storage seam, JSON-encoded, multi* calls for the queue. It lists keys
 * itself (`getAllKeys`), so a reload reads only the entries this client does not hold yet.
 */
export function createAsyncStorage(as: AsyncStorageLike): Storage {
  const parse = <T>(raw: string | null): T | undefined => (raw === null ? undefined : (JSON.parse(raw) as T));
  const keys = async (prefix: string) => (await as.getAllKeys()).filter((k) => k.startsWith(prefix));
  return {
    get: async <T>(key: string) => parse<T>(await as.getItem(key)),
    keys,
    async entries<T>(prefix: string) {
      const found = await keys(prefix);
      if (found.length === 0) return [];
      const pairs = await as.multiGet(found);
      return pairs.flatMap(([k, v]) => (v === null ? [] : [[k, parse<T>(v) as T] as [string, T]]));
    },
    setMany: (items) => as.multiSet(items.map(([k, v]) => [k, JSON.stringify(v)])),
    removeMany: (keys) => as.multiRemove(keys),
  };
}
