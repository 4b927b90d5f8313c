import Bowser from 'bowser';

export interface UserAgentFields {
  browser_name: string | null;
  browser_version: string | null;
  os_name: string | null;
  os_version: string | null;
  /** desktop | mobile | tablet | tv | bot | unknown */
  device_type: string;
}

const UNKNOWN: UserAgentFields = { browser_name: null, browser_version: null, os_name: null, os_version: null, device_type: 'unknown' };
const DEVICE_TYPES = new Set(['desktop', 'mobile', 'tablet', 'tv', 'bot']);
const cache = new Map<string, UserAgentFields>();
const CACHE_MAX = 1000;

/**
 * Browser, OS and device type from a User-Agent string (bowser, MIT, maintained). A site sees few
 * distinct user agents, so results are cached (bounded): parsing is the core's most costly step.
 */
export function parseUserAgent(userAgent: string | undefined): UserAgentFields {
  if (userAgent === undefined || userAgent.trim() === '') return UNKNOWN;
  const hit = cache.get(userAgent);
  if (hit) return hit;
  const parsed = Bowser.parse(userAgent);
  const type = parsed.platform.type;
  const fields: UserAgentFields = {
    browser_name: parsed.browser.name ?? null,
    browser_version: parsed.browser.version ?? null,
    os_name: parsed.os.name ?? null,
    os_version: parsed.os.version ?? null,
    device_type: type !== undefined && DEVICE_TYPES.has(type) ? type : 'unknown',
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(userAgent, fields);
  return fields;
}
