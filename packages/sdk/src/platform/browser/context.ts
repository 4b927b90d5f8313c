import type { PlatformContext } from '../../core/types';
import type { BrowserScope } from './global-scope';
import { clip } from '../../core/clip';

/**
 * What the last context was read from, and that context: events share it while nothing changed.
 * `location.pathname` is not compared: it follows from `href`, and it is the dearest of these reads
 * in Chromium (~1 µs of a track() call's ~5 µs; this runs on every call).
 */
let readFrom: unknown[] = [];
let last: PlatformContext = {};

/**
 * Page, locale, timezone, screen and user agent, clipped to the v1 context schema's limits. The same
 * object is returned while page and screen are unchanged (track() allocates as little as it can).
 */
export function readBrowserContext(scope: BrowserScope): PlatformContext {
  const { location: loc, document: doc, navigator: nav, screen: scr, devicePixelRatio: density } = scope;
  const from = [loc?.href, doc?.referrer, doc?.title, nav?.language, nav?.userAgent, scr?.width, scr?.height, density];
  if (from.every((value, i) => value === readFrom[i])) return last;
  readFrom = from;
  const context: PlatformContext = {};
  const page: NonNullable<PlatformContext['page']> = {};
  put(page, 'url', loc?.href, 4096);
  put(page, 'path', loc?.pathname, 2048);
  put(page, 'referrer', doc?.referrer, 4096);
  put(page, 'title', doc?.title, 1024);
  if (Object.keys(page).length > 0) context.page = page;
  put(context, 'locale', nav?.language, 35);
  put(context, 'timezone', readTimezone(scope), 64);
  put(context, 'user_agent', nav?.userAgent, 1024);
  if (isSize(scr?.width) && isSize(scr?.height)) {
    context.screen = { width: scr.width, height: scr.height };
    if (typeof density === 'number' && density >= 0 && density < Infinity) context.screen.density = density;
  }
  return (last = context);
}

function put<T extends object>(target: T, key: keyof T & string, value: string | undefined, max: number): void {
  if (typeof value === 'string' && value !== '') (target as Record<string, string>)[key] = clip(value, max);
}

let timezone: string | undefined | null = null;

/**
 * Read once. Temporal first: the page's first Intl.DateTimeFormat loads ICU's date formatting data,
 * 15–40 ms in Chromium on the project's machine (a long task on a slower one), and the time zone is
 * all the SDK wants from it; `Temporal.Now.timeZoneId()` gives the same IANA name in ~0.1 ms.
 */
function readTimezone(scope: BrowserScope): string | undefined {
  if (timezone !== null) return timezone;
  try {
    timezone = scope.Temporal?.Now.timeZoneId() ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    timezone = undefined; // handled: runtimes without full Intl just omit the timezone
  }
  return timezone;
}

function isSize(value: number | undefined): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
