import { isAddressOrHostName, isIpAddress, parseSwitch } from '@eventline/schemas';

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

/**
 * An on/off variable (schemas' `parseSwitch`: 1/true/yes/on or 0/false/no/off, any case; unset or empty
 * is off). Anything else is a problem: `TRUE` or `yes` read as off, so the switch silently never took effect.
 */
export function readSwitch(env: Env, name: string, problems: string[]): boolean {
  const value = parseSwitch(env[name]);
  if (value !== undefined) return value;
  problems.push(`${name} must be 1, true, yes or on (or 0, false, no, off), got "${env[name]}"`);
  return false;
}

/**
 * HOST: what `server.listen` takes, an address or a name. A port, a scheme or brackets failed at start
 * with `getaddrinfo ENOTFOUND`; the problem names the host to write only when taking them off leaves one.
 */
export function checkListenHost(host: string, problems: string[]): void {
  if (isAddressOrHostName(host)) return;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](:\d+)?$/.exec(host)?.[1];
  const withPort = /^(?:[a-z]+:\/\/)?([^/:[\]]+)(?::\d+)?\/?$/i.exec(host)?.[1];
  const hint = bracketed !== undefined && isIpAddress(bracketed) ? `: write "${bracketed}"` : withPort !== undefined && isAddressOrHostName(withPort) ? `: write "${withPort}" (the port is PORT)` : '';
  problems.push(`HOST must be an IP address or host name (no scheme, port or brackets), got "${host}"${hint}`);
}

/** The app's own first path segments: a base path starting with one would cut them off requests that come without it. */
const APP_SEGMENTS = ['v1', 'healthz', 'readyz', 'metrics'];
/** A path segment of unreserved characters (RFC 3986: letters, digits, - . _ ~), not a dot segment (`.`, `..`: resolved away by clients and proxies). */
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const isSegment = (s: string): boolean => SEGMENT.test(s) && s !== '.' && s !== '..';

/**
 * A base path (`ingest`, `/ingest`, `/ingest/`, `/api/ingest`), as `/ingest`; unset or empty: none.
 * A URL, an empty or odd segment, or one of the app's own first segments (`/v1` would turn
 * `/v1/batch` into `/batch`) is a problem naming what to write.
 */
export function readBasePath(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || raw === '/') return undefined;
  if (/^[a-z]+:\/\//i.test(raw)) {
    problems.push(`${name} must be a path such as /ingest (the custom domain's base path or API mapping key), not a URL, got "${raw}"`);
    return undefined;
  }
  const segments = raw.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (!segments.every(isSegment)) {
    problems.push(`${name} must be a path of non-empty segments of letters, digits and - . _ ~ (no %-escapes, no . or .. segment), such as /ingest, got "${raw}"`);
    return undefined;
  }
  if (APP_SEGMENTS.includes(segments[0]!)) {
    problems.push(`${name} must not start with /${segments[0]}, one of the ingest's own paths (/v1, /healthz, /readyz, /metrics), got "${raw}": with no base path, leave it unset`);
    return undefined;
  }
  return `/${segments.join('/')}`;
}
