import { isIP } from 'node:net';

export type IpMode = 'anonymize' | 'full' | 'none';

/** IPv4 keeps its /24 (last octet zeroed), IPv6 its /48; IPv4-mapped IPv6 is treated as IPv4. */
export function anonymizeIp(ip: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
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
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
  return isIP(address) === 6 ? `${expandV6(address).slice(0, 4).join(':')}::/64` : address;
}

function expandV6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const fill = ip.includes('::') ? Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right].map((g) => (g.includes('.') ? g : String(parseInt(g, 16).toString(16))));
}

export function ipForStorage(ip: string | undefined, mode: IpMode): string | undefined {
  if (ip === undefined || mode === 'none') return undefined;
  return mode === 'full' ? (isIP(ip) ? ip : undefined) : anonymizeIp(ip);
}

/**
 * The client address when `trustedHops` proxies of ours stand in front (0: none, the default —
 * X-Forwarded-For is then ignored, as any client can write it). Each proxy appends the address it
 * was reached from, so with N trusted proxies the client is the N-th entry from the right; entries
 * further left were written by whoever sent the request and prove nothing. Fewer entries than hops:
 * the leftmost. An entry that is not an IP address: the peer address.
 */
export function forwardedClientIp(peer: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0 || forwardedFor === undefined) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean);
  if (hops.length === 0) return peer;
  const chosen = hops[Math.max(0, hops.length - trustedHops)]!;
  return isIP(chosen) ? chosen : peer;
}
