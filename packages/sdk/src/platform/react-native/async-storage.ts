import type { Storage } from '../../core/types';
import { toJson } from '../../core/wire-json';
import { holdQueueWrites } from './held-writes';
import { singleFlight } from './single-flight';
import { createPace, TIMEOUT_ERROR } from './time-bound';

/**
 * The parts of `@react-native-async-storage/async-storage` the SDK uses (declared here so the package
 * stays an optional peer dependency: pass its default export). 1.x and 2.x have multiGet/multiSet/
 * multiRemove; 3.x replaced them with getMany/setMany/removeMany (objects instead of pairs).
 */
export interface AsyncStorageV2Like {
  getAllKeys(): Promise<readonly string[]>;
  multiGet(keys: readonly string[]): Promise<readonly (readonly [string, string | null])[]>;
  multiSet(pairs: [string, string][]): Promise<void>;
  multiRemove(keys: readonly string[]): Promise<void>;
}

export interface AsyncStorageV3Like {
  getAllKeys(): Promise<readonly string[]>;
  getMany(keys: string[]): Promise<Record<string, string | null>>;
  setMany(entries: Record<string, string>): Promise<void>;
  removeMany(keys: string[]): Promise<void>;
}

/** AsyncStorage 1.x/2.x or 3.x: the methods present at runtime are used. */
export type AsyncStorageLike = AsyncStorageV2Like | AsyncStorageV3Like;

/**
 * Most keys in one read. Android's AsyncStorage reads a multiGet with SQL `IN (?, …)`: SQLite's bind
 * limit (999 before 3.32) and the ~2 MB CursorWindow make one call for a 10,000-event queue fail.
 */
export const READ_CHUNK = 200;

type Pending = Map<string, { resolve: (raw: string | null) => void; reject: (error: unknown) => void }[]>;
/** A batch of reads gone out: the keys written since, and its storage calls not answered yet. */
interface Out {
  batch: Pending;
  written: Set<string>;
  calls: number;
}

/**
 * AsyncStorage behind the Storage seam, JSON-encoded. It lists keys itself (`getAllKeys`), so a reload
 * reads only the entries this client does not hold yet. Single reads made in the same tick (the queue
 * reads its entries one `get` each) go out together, READ_CHUNK keys per call, and each `get` settles
 * on its own: one entry that does not parse, or whose row cannot be read, fails that read only.
 * AsyncStorage runs its calls in order (one serial queue), and reads and writes reach it in call order.
 * Every call is given up once AsyncStorage has not moved for a while (time-bound.ts: 5 s, up to 30 s on
 * a device shown slower): a hung native module fails calls instead of holding the client. A read given
 * up is not asked again while it runs: the same read joins it, and its late answer serves the next one
 * (single-flight.ts).
 */
export function createAsyncStorage(as: AsyncStorageLike): Storage {
  const api = bounded(pick(as));
  let pending: Pending | undefined;
  const out = new Set<Out>();

  function read(key: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        void Promise.resolve().then(readPending);
      }
      const waiting = pending.get(key) ?? [];
      waiting.push({ resolve, reject });
      pending.set(key, waiting);
    });
  }

  function readPending(): void {
    const batch = pending;
    pending = undefined;
    if (!batch) return;
    const reads: Out = { batch, written: new Set(), calls: 0 };
    out.add(reads);
    const keys = [...batch.keys()];
    // Every read in the batch was asked before this: they may share one listing (single-flight.ts).
    api.together(() => {
      for (let i = 0; i < keys.length; i += READ_CHUNK) readChunk(keys.slice(i, i + READ_CHUNK), reads);
    });
  }

  function readChunk(chunk: string[], reads: Out): void {
    const { batch, written } = reads;
    const fail = (key: string, error: unknown) => batch.get(key)?.forEach((w) => w.reject(error));
    reads.calls++;
    api
      .readMany(chunk)
      .then(
        (raws) => chunk.forEach((key, k) => batch.get(key)?.forEach((w) => w.resolve(raws[k] ?? null))),
        (error: unknown) => {
          // One row fails the whole call ("Row too big to fit into CursorWindow", a busy database): each
          // key is read again on its own, so a row that cannot be read fails its own read only. Not after
          // no answer: a module that does not answer one call would be handed one more per key. Nor a key
          // written since the read went out: asked again, it would answer with that write, not with what
          // was stored when it was asked (the state load must not see an optOut() made after it started).
          if (chunk.length > 1 && (error as Error | undefined)?.name !== TIMEOUT_ERROR) {
            chunk.forEach((key) => (written.has(key) ? fail(key, error) : readChunk([key], reads)));
          } else chunk.forEach((key) => fail(key, error));
        },
      )
      .finally(() => {
        if (--reads.calls === 0) out.delete(reads);
      });
  }

  /**
   * Keys about to be written, for the reads out now. Removals are not: a removed entry read again
   * answers "gone", which is what its reader (the queue) makes of a removal anyway.
   */
  function writing(keys: string[]): void {
    api.changed(keys);
    for (const reads of out) for (const key of keys) if (reads.batch.has(key)) reads.written.add(key);
  }

  const get = async <T>(key: string): Promise<T | undefined> => {
    const raw = await read(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  };
  const keys = async (prefix: string) => (await api.listKeys()).filter((k) => k.startsWith(prefix));
  return {
    get,
    keys,
    async entries<T>(prefix: string) {
      const found = await keys(prefix);
      const values = await Promise.all(found.map((key) => get<T>(key)));
      return found.flatMap((key, i): [string, T][] => (values[i] === undefined ? [] : [[key, values[i]]]));
    },
    // Reads asked before a write go out first, so each read sees what was stored when it was asked
    // (the state load at start must not see an optOut() made right after createEventline). The write
    // itself goes out at once: an app killed right after optOut() keeps the choice.
    setMany: (items) => (readPending(), writing(items.map(([k]) => k)), api.writeMany(items.map(([k, v]): [string, string] => [k, toJson(v)]))),
    removeMany: (keys) => (readPending(), api.changed(keys), api.removeMany(keys)),
  };
}

type Api = ReturnType<typeof pick>;

/** Each call time-bound, the bound paced by the answers (time-bound.ts); reads single-flight;
 * queue writes held behind a call given up. */
function bounded(calls: Api) {
  const pace = createPace();
  const api = { listKeys: pace.track(calls.listKeys), readMany: pace.track(calls.readMany), writeMany: pace.track(calls.writeMany), removeMany: pace.track(calls.removeMany) };
  // The listing, as a read of one pseudo key ('' is a key, of no other read).
  const list = singleFlight('getAllKeys', pace.within, async () => [await api.listKeys()]);
  // A late answer is used only for keys still listed (the app's AsyncStorage.clear() is not seen otherwise).
  const reads = singleFlight('read', pace.within, api.readMany, api.listKeys, null);
  return {
    listKeys: async () => (await list.read(['']))[0] ?? [],
    readMany: (keys: string[]) => reads.read(keys),
    together: <T>(run: () => T) => reads.together(run),
    // Queue writes and removals coalesced behind a call given up (held-writes.ts).
    ...holdQueueWrites(pace.bound('write', api.writeMany), pace.bound('remove', api.removeMany)),
    /** `keys` written or removed: reads asked from now on go out anew (a listing after any change). */
    changed(keys: readonly string[]): void {
      reads.changed(keys);
      list.changed();
    },
  };
}

/** The 3.x methods where the object has them (3.x has no multi*), else the 1.x/2.x ones. */
function pick(as: AsyncStorageLike) {
  const listKeys = () => as.getAllKeys();
  if ('getMany' in as && typeof as.getMany === 'function') {
    return {
      listKeys,
      readMany: async (keys: string[]) => {
        const found = await as.getMany(keys);
        return keys.map((key) => found[key] ?? null);
      },
      writeMany: (pairs: [string, string][]) => as.setMany(Object.fromEntries(pairs)),
      removeMany: (keys: string[]) => as.removeMany(keys),
    };
  }
  const v2 = as as AsyncStorageV2Like;
  return {
    listKeys,
    readMany: async (keys: string[]) => {
      const found = new Map(await v2.multiGet(keys));
      return keys.map((key) => found.get(key) ?? null);
    },
    writeMany: (pairs: [string, string][]) => v2.multiSet(pairs),
    removeMany: (keys: string[]) => v2.multiRemove(keys),
  };
}
