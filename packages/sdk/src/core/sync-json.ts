import type { Platform } from './types';

/** The JSON value at `key` in the synchronous store; undefined when absent or unreadable (`onError` hears why). */
export function readJson(store: Pick<NonNullable<Platform['syncStore']>, 'get'> | undefined, key: string, onError?: (error: unknown) => void): unknown {
  try {
    const raw = store?.get(key);
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch (error) {
    onError?.(error);
    return undefined;
  }
}
