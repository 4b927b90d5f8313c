import { createClient, type Client } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { createReactNativePlatform, type ReactNativeDeps } from './platform/react-native/platform';

export type * from './public-types';
export type { AsyncStorageLike } from './platform/react-native/async-storage';
export type { AppStateLike, ReactNativeDeps } from './platform/react-native/platform';
export { SDK_VERSION } from './core/version';

const INSTALLED = 'eventline.installed';

/**
 * A client for React Native: AsyncStorage for the queue and ids, AppState for the lifecycle.
 * Tracks `af_first_open` once per install, and `app_open` at start and on every return to the
 * foreground; going to the background sends what is queued.
 */
export function createEventline(config: ClientConfig, deps: ReactNativeDeps, overrides: Partial<Platform> = {}): Client {
  const platform = withFullStorage({ ...createReactNativePlatform(deps), ...overrides });
  const client = createClient({ autoPage: false, ...config }, platform);
  const opened = (firstOpen: boolean) => {
    if (firstOpen) client.track('af_first_open');
    client.track('app_open');
  };
  void platform.storage
    .get<boolean>(INSTALLED)
    .then(
      (installed) => {
        opened(installed !== true);
        // Marked once the client may store (consent 'pending' stores nothing until it is granted).
        if (installed !== true) return client.getDeviceId().then(() => platform.storage.setMany([[INSTALLED, true]]));
      },
      // storage unreadable: we cannot tell a first open from a later one, so claim neither
      () => opened(false),
    )
    // handled: an unsaved mark costs a second af_first_open at the next start, nothing else
    .catch(() => undefined);
  platform.lifecycle?.((event) => event === 'visible' && client.track('app_open'));
  return client;
}
