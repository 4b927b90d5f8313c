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
