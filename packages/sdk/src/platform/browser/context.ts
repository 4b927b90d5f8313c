import type { PlatformContext } from '../../core/types';
import type { BrowserScope } from './global-scope';

/** Limits from the v1 context schema: longer values would get the whole event rejected. */
const MAX = { url: 4096, path: 2048, referrer: 4096, title: 1024, locale: 35, timezone: 64, userAgent: 1024 };

/** Page, locale, timezone, screen and user agent, as far as this runtime knows them. */
export function readBrowserContext(scope: BrowserScope): PlatformContext {
  const { location: loc, document: doc, navigator: nav, screen: scr } = scope;
  const context: PlatformContext = {};
  const page = compact({
    url: clip(loc?.href, MAX.url),
    path: clip(loc?.pathname, MAX.path),
    referrer: clip(doc?.referrer || undefined, MAX.referrer),
    title: clip(doc?.title || undefined, MAX.title),
  });
  if (Object.keys(page).length > 0) context.page = page;
  const locale = clip(nav?.language, MAX.locale);
  if (locale) context.locale = locale;
  const timezone = clip(readTimezone(), MAX.timezone);
  if (timezone) context.timezone = timezone;
  if (isSize(scr?.width) && isSize(scr?.height)) {
    context.screen = { width: scr.width, height: scr.height };
    const density = scope.devicePixelRatio;
    if (typeof density === 'number' && Number.isFinite(density) && density >= 0) context.screen.density = density;
  }
  const userAgent = clip(nav?.userAgent, MAX.userAgent);
  if (userAgent) context.user_agent = userAgent;
  return context;
}

function readTimezone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined; // handled: runtimes without full Intl just omit the timezone
  }
}

function clip(value: string | undefined, max: number): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

function isSize(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] !== undefined) out[key] = record[key];
  }
  return out;
}
