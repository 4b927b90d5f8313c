import type { AsyncStorageLike, AsyncStorageV2Like, AsyncStorageV3Like } from '../src/react-native';

export interface MemoryAsyncStorage {
  data: Map<string, string>;
  /** The keys of each read, in order. */
  reads: string[][];
  /** While set, reads wait for it (a slow storage). */
  readGate?: Promise<void>;
  /** While set, no call made answers, ever (a hung native module). */
  stuck?: boolean;
  /** Called before each read / write with its keys; a throw fails that call (a storage error). */
  beforeRead?: (keys: readonly string[]) => void;
  beforeWrite?: (keys: readonly string[]) => void;
}

/**
 * AsyncStorage in memory, with the same string-only contract as the real module: 2.x's
 * multiGet/multiSet/multiRemove (pairs) or 3.x's getMany/setMany/removeMany (objects).
 */
export function memoryAsyncStorage(shape: 'v2' | 'v3' = 'v2'): AsyncStorageLike & MemoryAsyncStorage {
  const data = new Map<string, string>();
  const self: MemoryAsyncStorage = { data, reads: [] };
  // Promises settled in their executor: a throwing hook is a rejection, as a native error is. Calls
  // run in the order they are made, as AsyncStorage's one serial queue runs them (a read waits only
  // for a readGate the test set).
  const hang = () => new Promise<never>(() => undefined);
  const read = async (keys: readonly string[]) => {
    if (self.stuck) return hang();
    if (self.readGate) await self.readGate;
    self.reads.push([...keys]);
    self.beforeRead?.(keys);
    return keys.map((k) => [k, data.get(k) ?? null] as const);
  };
  const write = (pairs: readonly (readonly [string, string])[]) =>
    self.stuck ? hang() : new Promise<void>((resolve) => {
      self.beforeWrite?.(pairs.map(([k]) => k));
      resolve(pairs.forEach(([k, v]) => data.set(k, v)));
    });
  const remove = (keys: readonly string[]) => (self.stuck ? hang() : new Promise<void>((resolve) => resolve(keys.forEach((k) => data.delete(k)))));
  const getAllKeys = () => (self.stuck ? hang() : Promise.resolve([...data.keys()]));
  if (shape === 'v3') {
    const v3: AsyncStorageV3Like = {
      getAllKeys,
      getMany: async (keys) => Object.fromEntries(await read(keys)),
      setMany: (entries) => write(Object.entries(entries)),
      removeMany: remove,
    };
    return Object.assign(self, v3);
  }
  const v2: AsyncStorageV2Like = { getAllKeys, multiGet: read, multiSet: write, multiRemove: remove };
  return Object.assign(self, v2);
}
