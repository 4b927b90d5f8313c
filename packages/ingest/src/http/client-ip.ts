import { isIP } from 'node:net';

/** What is stored of the client's address (INGEST_IP, `options.ipMode`). */
export const IP_MODES: readonly string[] = ['anonymize', 'full', 'none'];
export type IpMode = 'anonymize' | 'full' | 'none';

/** IPv4 keeps its /24 (last octet zeroed), IPv6 its /48; IPv4-mapped IPv6 is treated as IPv4. */
export function anonymizeIp(ip: string): string | undefined {
  const address = embeddedIpv4(ip) ?? ip;
  const version = isIP(address);
  if (version === 4) return address.replace(/\.\d+$/, '.0');
  if (version === 6) return `${expandV6(address).slice(0, 3).join(':')}::`;
  return undefined;
}

/**
 * What one client is, for a limit per client: an IPv4 address as it is (IPv4-mapped IPv6 as IPv4), an
 * IPv6 one by its /64 (one subscriber's network: a host picks addresses in it at will). Anything else
 * as it is.
 */
export function clientNetwork(ip: string): string {
  const address = embeddedIpv4(ip) ?? ip;
  return isIP(address) === 6 ? `${expandV6(address).slice(0, 4).join(':')}::/64` : address;
}

/**
 * The IPv4 address an IPv6 one carries, in any spelling: IPv4-mapped (`::ffff:203.0.113.7`, also
 * in hex, `::ffff:cb00:7107`) and the dotted IPv4-compatible form (`::203.0.113.7`). Else undefined
 * (`::1` stays the IPv6 loopback: only its dotted form, `::0.0.0.1`, is taken as IPv4).
 */
function embeddedIpv4(ip: string): string | undefined {
  if (isIP(ip) !== 6) return undefined;
  const groups = expandV6(ip);
  if (groups.slice(0, 5).some((g) => g !== '0')) return undefined;
  if (groups[5] !== 'ffff' && !(groups[5] === '0' && ip.includes('.'))) return undefined;
  const [hi, lo] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** The eight groups of a valid IPv6 address, lower-case hex without leading zeros; a dotted tail as its two groups. */
function expandV6(ip: string): string[] {
  const dotted = (g: string): string[] => {
    const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
    return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  const split = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? dotted(g) : [g])));
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = split(head);
  const right = split(tail);
  const fill = ip.includes('::') ? Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}

/**
 * The IP as stored under `mode`. A zone id (`fe80::1%eth0`) is never stored: it names an interface of
 * the host that saw it, and its length is unbounded (the leftmost X-Forwarded-For entry is the client's
 * own text), while the stored record's room for server fields is bounded (stored-size.ts).
 */
export function ipForStorage(ip: string | undefined, mode: IpMode): string | undefined {
  if (ip === undefined || mode === 'none') return undefined;
  if (mode !== 'full') return anonymizeIp(ip);
  const address = ip.split('%')[0]!;
  return isIP(ip) && isIP(address) ? address : undefined;
}

/**
 * The client address when `trustedHops` proxies of ours stand in front (0: none, the default —
 * X-Forwarded-For is then ignored, as any client can write it). Each proxy appends the address it
 * was reached from, so with N trusted proxies the client is the N-th entry from the right; entries
 * further left were written by whoever sent the request and prove nothing. Fewer entries than hops:
 * the leftmost. A port on the entry (`203.0.113.7:51234`, `[2001:db8::1]:443`, as Azure Application
 * Gateway writes) is left out. No header (or an empty one): the peer. An entry that is still not an IP
 * address: undefined (no client address), never the peer: behind a proxy the peer is the proxy, and
 * taking it made every client share one per-client rate-limit bucket.
 */
export function forwardedClientIp(peer: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0 || forwardedFor === undefined) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean);
  if (hops.length === 0) return peer;
  const chosen = withoutPort(hops[Math.max(0, hops.length - trustedHops)]!);
  return isIP(chosen) ? chosen : undefined;
}

/** `a.b.c.d:port` → `a.b.c.d`, `[v6]` or `[v6]:port` → `v6`; anything else as it is. */
function withoutPort(entry: string): string {
  return /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry)?.[1] ?? /^\[([^\]]+)\](?::\d+)?$/.exec(entry)?.[1] ?? entry;
}
