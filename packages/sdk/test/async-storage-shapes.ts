/**
 * The default export of `@react-native-async-storage/async-storage` as its published types declare it
 * (restated from 2.2.0's lib/typescript/types.d.ts and 3.1.1's lib/typescript/AsyncStorage.d.ts), as
 * module declarations for type-checking the README's React Native example against each major version
 * without installing React Native.
 */
const v2 = `declare module '@react-native-async-storage/async-storage' {
  type Callback = (error?: Error | null) => void;
  type CallbackWithResult<T> = (error?: Error | null, result?: T | null) => void;
  type KeyValuePair = [string, string | null];
  type MultiCallback = (errors?: readonly (Error | null)[] | null) => void;
  type MultiGetCallback = (errors?: readonly (Error | null)[] | null, result?: readonly KeyValuePair[]) => void;
  export type AsyncStorageStatic = {
    getItem: (key: string, callback?: CallbackWithResult<string>) => Promise<string | null>;
    setItem: (key: string, value: string, callback?: Callback) => Promise<void>;
    removeItem: (key: string, callback?: Callback) => Promise<void>;
    mergeItem: (key: string, value: string, callback?: Callback) => Promise<void>;
    clear: (callback?: Callback) => Promise<void>;
    getAllKeys: (callback?: CallbackWithResult<readonly string[]>) => Promise<readonly string[]>;
    flushGetRequests: () => void;
    multiGet: (keys: readonly string[], callback?: MultiGetCallback) => Promise<readonly KeyValuePair[]>;
    multiSet: (keyValuePairs: ReadonlyArray<readonly [string, string]>, callback?: MultiCallback) => Promise<void>;
    multiRemove: (keys: readonly string[], callback?: MultiCallback) => Promise<void>;
    multiMerge: (keyValuePairs: [string, string][], callback?: MultiCallback) => Promise<void>;
  };
  const AsyncStorage: AsyncStorageStatic;
  export default AsyncStorage;
}
`;

const v3 = `declare module '@react-native-async-storage/async-storage' {
  export interface AsyncStorage {
    getItem(key: string): Promise<string | null>;
    setItem(key: string, value: string): Promise<void>;
    removeItem(key: string): Promise<void>;
    getMany(keys: string[]): Promise<Record<string, string | null>>;
    setMany(entries: Record<string, string>): Promise<void>;
    removeMany(keys: string[]): Promise<void>;
    getAllKeys(): Promise<string[]>;
    clear(): Promise<void>;
  }
  export function createAsyncStorage(databaseName: string): AsyncStorage;
  const storage: AsyncStorage;
  export default storage;
}
`;

export const ASYNC_STORAGE_SHAPES = { v2, v3 } as const;
