import { createClient, type Client } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { watchOpens } from './platform/react-native/app-opens';
import { createGate } from './platform/react-native/gate';
import { INSTALLED, readFirstOpen } from './platform/react-native/install-mark';
import { createReactNativePlatform, memoryOnly, persistentStorage, type ReactNativeDeps } from './platform/react-native/platform';

export type * from './public-types';
export type { AsyncStorageLike, AsyncStorageV2Like, AsyncStorageV3Like } from './platform/react-native/async-storage';
export type { AppStateLike, ReactNativeDeps } from './platform/react-native/platform';
export { SDK_VERSION } from './core/version';

/**
 * The queue's byte bound on React Native (2 MB elsewhere). AsyncStorage on Android is one SQLite file
 * capped at 6 MB by default, shared with the app's own data, and a read's rows come back through one
 * ~2 MB CursorWindow. The bound counts characters, up to 3 bytes each stored: 2 MB of queue could fill
 * the database and overflow a read, 1 MB leaves room for the app.
 */
const MAX_QUEUE_BYTES = 1_000_000;

/**
 * A client for React Native: AsyncStorage for the queue and ids, AppState for the lifecycle.
 * Tracks `app_open` each time the app comes to the foreground (not at a launch in the background),
 * the first one per install preceded by `af_first_open`; going to the background sends the whole queue.
 */
export function createEventline(config: ClientConfig, deps: ReactNativeDeps, overrides: Partial<Platform> = {}): Client {
  // Decided once: a storage passed in, else AsyncStorage, else memory (which says so: platform.ts).
  const persistent = overrides.storage ?? persistentStorage(deps);
  const platform = withFullStorage({ ...createReactNativePlatform(deps), ...overrides, storage: persistent ?? memoryOnly() });
  const client = createClient({ autoPage: false, ...config, maxQueueBytes: config.maxQueueBytes ?? MAX_QUEUE_BYTES }, platform);
  // Whether the next open is the first of this install (undefined: not read yet). In memory every
  // start would look like the first: none is claimed.
  const remembers = persistent !== undefined;
  let first: boolean | undefined = remembers ? undefined : false;
  // Bounded (install-mark.ts): the calls held behind the gate below wait for it.
  const installed = remembers ? readFirstOpen(platform.storage) : Promise.resolve(false);
  // Until it is known, calls wait behind the gate: the opens come first (see gate.ts).
  const gate = createGate();
  function openNow(): void {
    if (first) {
      client.track('af_first_open');
      // Marked once the client may store (consent 'pending' stores nothing until it is granted).
      client
        .getDeviceId()
        .then(() => platform.storage.setMany([[INSTALLED, true]]))
        // handled: an unsaved mark costs a second af_first_open at the next start, nothing else
        .catch(() => undefined);
    }
    client.track('app_open');
    first = false;
  }
  const stopWatching = watchOpens(
    deps.appState,
    gate.pass(() => {
      if (first !== undefined) return openNow();
      gate.shutUntil(installed, (mark) => {
        first = mark;
        openNow();
      });
    }),
    // The core's hide path sends what fits one keepalive budget (64 KiB, a browser's limit). React Native's
    // fetch has no such limit, and the OS leaves a backgrounded app some seconds: the whole queue goes.
    () => void client.flush(),
  );
  const pass = <A extends unknown[]>(fn: (...args: A) => void) => gate.pass(fn);
  /**
   * While the gate is shut, the choice is stored at the call, not only when the gate lets the core's
   * optOut()/optIn() run (which stores it again): an app killed while the install read is pending keeps it. The core is told, so
   * the calls made before it are not judged by it: a state load asked for earlier reads the record
   * first (AsyncStorage runs reads and writes in call order), one that starts later (consent granted
   * behind the gate) goes by the stored state instead of the record.
   */
  const storedAtOnce = (out: boolean, call: () => void) => () => {
    if (gate.shut()) client.storeOptOut(out);
    call();
  };
  return {
    ...client,
    track: pass(client.track),
    identify: pass(client.identify),
    page: pass(client.page),
    screen: pass(client.screen),
    alias: pass(client.alias),
    group: pass(client.group),
    setConsent: pass(client.setConsent),
    optOut: storedAtOnce(true, pass(client.optOut)),
    optIn: storedAtOnce(false, pass(client.optIn)),
    anonymize: pass(client.anonymize),
    reset: pass(client.reset),
    flush: gate.passAsync(client.flush),
    close() {
      // the AppState listeners must not outlive the client (an app may make another)
      stopWatching();
      return gate.passAsync(client.close)();
    },
  };
}
