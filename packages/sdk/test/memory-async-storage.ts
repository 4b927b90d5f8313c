import type { AsyncStorageLike, AsyncStorageV2Like, AsyncStorageV3Like } from '../src/react-native';

export interface MemoryAsyncStorage {
  data: Map<string, string>;
  /** The keys of each read, in order. */
  reads: string[][];
  /** While set, reads wait for it (a slow storage). */
  readGate?: Promise<void>;
  /**
   * While set, each read takes this long (setTimeout: fake timers drive it) and every call waits for
   * the calls made before it, as in AsyncStorage's one serial queue (a slow device).
   */
  readDelayMs?: number;
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
  let last: Promise<unknown> = Promise.resolve();
  /** `call` after the calls before it when reads are slow (a serial queue), else at once. */
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    if (self.readDelayMs === undefined) return call();
    const turn = last.then(call, call);
    last = turn.catch(() => undefined);
    return turn;
  };
  const read = async (keys: readonly string[]) => {
    if (self.stuck) return hang();
    if (self.readGate) await self.readGate;
    if (self.readDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, self.readDelayMs));
    self.reads.push([...keys]);
    self.beforeRead?.(keys);
    return keys.map((k) => [k, data.get(k) ?? null] as const);
  };
  const write0 = (pairs: readonly (readonly [string, string])[]) =>
    self.stuck ? hang() : new Promise<void>((resolve) => {
      self.beforeWrite?.(pairs.map(([k]) => k));
      resolve(pairs.forEach(([k, v]) => data.set(k, v)));
    });
  const write = (pairs: readonly (readonly [string, string])[]) => inTurn(() => write0(pairs));
  const remove = (keys: readonly string[]) => inTurn(() => remove0(keys));
  const remove0 = (keys: readonly string[]) => (self.stuck ? hang() : new Promise<void>((resolve) => resolve(keys.forEach((k) => data.delete(k)))));
  const getAllKeys = () => inTurn(() => (self.stuck ? hang() : Promise.resolve([...data.keys()])));
  const readInTurn = (keys: readonly string[]) => inTurn(() => read(keys));
  if (shape === 'v3') {
    const v3: AsyncStorageV3Like = {
      getAllKeys,
      getMany: async (keys) => Object.fromEntries(await readInTurn(keys)),
      setMany: (entries) => write(Object.entries(entries)),
      removeMany: remove,
    };
    return Object.assign(self, v3);
  }
  const v2: AsyncStorageV2Like = { getAllKeys, multiGet: readInTurn, multiSet: write, multiRemove: remove };
  return Object.assign(self, v2);
}
