import type { AppStateLike } from './platform';

/**
 * Calls `open` each time the app comes to the foreground: at start if AppState says 'active' (else
 * at the first 'active': a launch in the background — silent push, background fetch — opens
 * nothing), then at each 'active' that follows a 'background'. iOS goes active → inactive → active
 * without leaving the foreground (Notification Center, Control Center, the app switcher, a call, a
 * permission alert, and at launch on React Native ≥ 0.73): no open. Without AppState, one open at
 * start. `background` is called at each 'background'. Returns the unsubscribe.
 */
export function watchOpens(appState: AppStateLike | undefined, open: () => void, background: () => void): () => void {
  if (!appState) {
    open();
    return () => undefined;
  }
  let away = appState.currentState !== 'active';
  if (!away) open();
  const subscription = appState.addEventListener('change', (state) => {
    if (state === 'background') {
      away = true;
      background();
    } else if (state === 'active' && away) {
      away = false;
      open();
    }
  });
  return () => subscription.remove();
}
