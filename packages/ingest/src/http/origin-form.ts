/**
 * The longest Origin a page can send: `https://`, a DNS name (at most 253 characters: a page is only
 * loaded from a name that resolves) and `:65535`. An IPv6 literal (`[` 39 hex and colons `]`) is shorter.
 */
export const ORIGIN_MAX_LENGTH = 'https://'.length + 253 + ':65535'.length;

// RFC 6454 §7 / the Fetch standard's serialised origin: scheme "://" host [":" port], the host as a browser
// serialises it (ASCII: punycode labels, an IPv6 literal in brackets), or `null` for an opaque origin.
const ORIGIN_FORM = /^https?:\/\/(?:[a-z0-9_.-]+|\[[0-9a-f:]+\])(?::\d{1,5})?$/i;

/**
 * Whether a request's `Origin` has the form a browser sends (checked before it is echoed): any other value,
 * such as 16 KB of quotes or repeated Origin lines an ALB joins with "; ", would be copied into the answer's
 * headers, past the room the answer bound keeps for them (answer-bound.ts `RESPONSE_ENVELOPE_BYTES`).
 */
export function isOriginForm(origin: string): boolean {
  return origin === 'null' || (origin.length <= ORIGIN_MAX_LENGTH && ORIGIN_FORM.test(origin));
}
