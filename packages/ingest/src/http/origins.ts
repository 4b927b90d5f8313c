/**
 * Allowed browser origins per app: exact (`https://shop.example`), any port (`http://127.0.0.1:*`),
 * any subdomain (`https://*.shop.example`) or anything (`*`).
 */
export type OriginMatcher = (origin: string) => boolean;

export function compileOrigins(patterns: readonly string[]): OriginMatcher {
  const exact = new Set<string>();
  const regexes: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern === '*') return () => true;
    if (!pattern.includes('*')) exact.add(pattern.toLowerCase());
    else regexes.push(patternRegex(pattern));
  }
  return (origin) => {
    const o = origin.toLowerCase();
    return exact.has(o) || regexes.some((r) => r.test(o));
  };
}

function patternRegex(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  // `:*` at the end means any port; `*.` means one or more subdomain labels.
  const body = escaped.reduce((acc, part, i) => {
    if (i === 0) return part;
    const prev = escaped[i - 1] ?? '';
    const wildcard = prev.endsWith(':') ? '\\d{1,5}' : '[a-z0-9-]+(?:\\.[a-z0-9-]+)*';
    return acc + wildcard + part;
  }, '');
  return new RegExp(`^${body}$`);
}

/**
 * Checks a pattern is usable: scheme://host[:port] with `*` only as a port or leading subdomain. A pattern
 * no browser's `Origin` can equal is refused with the form to write, not accepted to match nothing: a
 * default port (browsers leave `:443` / `:80` out), a path or trailing slash, a host in Unicode (browsers
 * send it in punycode).
 */
export function originPatternProblem(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  const usual = ' (scheme://host[:port], "*" as the port or leading subdomain, or "*")';
  if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(\[[0-9a-f:]+\])?(:(\d{1,5}|\*))?$/i.test(pattern)) {
    const origin = browserOrigin(pattern);
    const hint = origin !== undefined && origin !== pattern ? `: browsers send "${origin}"` : '';
    return `"${pattern}" is not an origin pattern${usual}${hint}`;
  }
  const defaultPort = /^https:.*:443$|^http:.*:80$/i.test(pattern);
  if (defaultPort) return `"${pattern}" names its scheme's default port, which browsers leave out of Origin: write "${pattern.replace(/:\d+$/, '')}"`;
  return undefined;
}

/** The Origin a browser would send for this URL-like text, when it reads as one (no wildcard). */
function browserOrigin(text: string): string | undefined {
  if (text.includes('*')) return undefined;
  try {
    const origin = new URL(text).origin;
    return /^https?:\/\//.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}
