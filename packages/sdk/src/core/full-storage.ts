import type { CorePlatform, CoreStorage, Platform, Storage } from './types';

/**
 * The platform with a storage that has `keys` and `reserve` (the npm entries' own storages have
 * them; AsyncStorage and a storage passed in may not). The <script> build's storage has both, so
 * these fallbacks stay out of it.
 */
export function withFullStorage(platform: Omit<Platform, 'storage'> & { storage: Storage | CoreStorage }): CorePlatform {
  return { ...platform, storage: fullStorage(platform.storage) };
}

function fullStorage(given: Storage | CoreStorage): CoreStorage {
  if (given.keys && given.reserve) return given as CoreStorage;
  // Without `keys` the storage is a Storage (passed in, or AsyncStorage's): it has `entries`.
  const storage = given as Storage;
  return {
    get: (key) => storage.get(key),
    setMany: (entries) => storage.setMany(entries),
    removeMany: (keys) => storage.removeMany(keys),
    keys: (prefix) => storage.keys?.(prefix) ?? storage.entries(prefix).then((list) => list.map(([key]) => key)),
    // Without an atomic increment (AsyncStorage serves one app process): read, then write.
    reserve: (key, count) =>
      storage.reserve?.(key, count) ?? storage.get<number>(key).then((start = 0) => storage.setMany([[key, start + count]]).then(() => start)),
  };
}
