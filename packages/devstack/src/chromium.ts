import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser (the binary, then its wrapper script). */
const CHROMIUM_PATHS = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

/** Headless, and nothing that reaches beyond loopback on its own (updates, sync, background fetches). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Options for playwright-core's `chromium.launch()` with Debian's Chromium (no browser is downloaded).
 * Throws, saying what to install, when it is missing: a browser test never skips.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  const executablePath = CHROMIUM_PATHS.find((path) => existsSync(path));
  if (!executablePath) throw new Error('Chromium not found: install Debian\'s "chromium" package (see the README)');
  return { executablePath, args: [...CHROMIUM_ARGS] };
}
