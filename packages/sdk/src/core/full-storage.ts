import type { CorePlatform, CoreStorage, Platform, Storage } from './types';
import { utf8Length } from './utf8';

/**
 * The platform with a storage that has `keys` and `reserve` (the npm entries' own storages have
 * them; AsyncStorage and a storage passed in may not), and a UTF-8 measure (the browser's own, else
 * a loop: React Native may have no TextEncoder). The <script> build's platform has all of them, so
 * these fallbacks stay out of it.
 */
export function withFullStorage(
  platform: Omit<Platform, 'storage'> & { storage: Storage | CoreStorage; utf8Length?: (text: string) => number },
): CorePlatform {
  return { ...platform, storage: fullStorage(platform.storage), utf8Length: platform.utf8Length ?? utf8Length };
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
