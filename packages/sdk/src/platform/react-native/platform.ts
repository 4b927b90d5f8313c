import type { FullStorage, LifecycleEvent, Platform, PlatformContext, Storage } from '../../core/types';
// fetch and crypto.getRandomValues (react-native-get-random-values) are web-standard in React Native.
import { getFetch } from '../browser/global-scope';
import { createFetchTransport } from '../browser/transport-fetch';
import { createMemoryStorage } from '../memory-storage';
import { createAsyncStorage, type AsyncStorageLike } from './async-storage';
import { safeRandomBytes } from './random';

/** The part of React Native's `AppState` the SDK uses. */
export interface AppStateLike {
  /** 'active', 'background', 'inactive' (iOS), 'unknown' (iOS, until known), …; null before RN knew it (old versions). */
  readonly currentState: string | null;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

export interface ReactNativeDeps {
  /**
   * `import AsyncStorage from '@react-native-async-storage/async-storage'`. Without it (the optional
   * peer not installed) the queue and ids live in memory: nothing survives a restart, and each start
   * is a new device.
   */
  asyncStorage?: AsyncStorageLike | null;
  /** `import { AppState } from 'react-native'` */
  appState?: AppStateLike;
  /** Screen size, locale, app version… (e.g. from Dimensions and expo-localization). */
  context?: () => PlatformContext;
}

/**
 * AppState 'active' → visible (retry now); 'background' / 'inactive' → hidden (send what is queued).
 * iOS passes through 'inactive' on its way to the background, and the app switcher, from which the
 * user can kill the app, shows it only 'inactive' (React Native's AppState docs: "transitioning
 * between foreground & background, and during periods of inactivity such as entering the multitasking
 * view, opening the Notification Center or in the event of an incoming call"): sending then costs at
 * most a request. `app_open` is not decided here: see app-opens.ts.
 */
export function appStateLifecycle(appState: AppStateLike | undefined): Platform['lifecycle'] {
  if (!appState) return undefined;
  return (listener: (event: LifecycleEvent) => void) => {
    const sub = appState.addEventListener('change', (state) => listener(state === 'active' ? 'visible' : 'hidden'));
    return () => sub.remove();
  };
}

/** The platform but its storage: the React Native entry decides where the queue and ids live (react-native.ts). */
export function createReactNativePlatform(deps: ReactNativeDeps): Omit<Platform, 'storage'> {
  return {
    transport: createFetchTransport(getFetch),
    randomBytes: safeRandomBytes,
    context: deps.context ?? (() => ({})),
    lifecycle: appStateLifecycle(deps.appState),
  };
}

export const NO_ASYNC_STORAGE =
  'no AsyncStorage: the queue and ids live in memory (nothing survives a restart, each start is a new device), and af_first_open is not tracked';

/**
 * AsyncStorage behind the Storage seam; undefined without it. No AsyncStorage is no stored opt-out
 * either: the queue and ids then live in memory (memoryOnly) and the client tracks, rather than
 * reading a store that fails every read (a read that fails is taken as a possible opt-out: no tracking).
 */
export function persistentStorage(deps: ReactNativeDeps): Storage | undefined {
  return deps.asyncStorage ? createAsyncStorage(deps.asyncStorage) : undefined;
}

/**
 * Memory in place of AsyncStorage, which says so once: an `error` notice ('storage failed', the error
 * NO_ASYNC_STORAGE) to the client's listeners, a microtask later, so that the ones added right after
 * createEventline() returns hear it.
 */
export function memoryOnly(): FullStorage {
  return {
    ...createMemoryStorage(),
    onFallback: (listener) => void Promise.resolve().then(() => listener(new Error(NO_ASYNC_STORAGE))),
  };
}
