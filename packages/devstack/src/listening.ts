import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** IPv4 in /proc/net/tcp: one little-endian word; IPv6 in tcp6: four of them. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** The `address:port` of every TCP socket the process `pid` listens on, read from /proc (Linux). */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // the descriptor closed while listing
    }
  }
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl, local_address, rem_address, st (0A = LISTEN), ..., inode (index 9)
      if (cols[3] !== '0A' || !inodes.has(cols[9] ?? '')) continue;
      const [addr, port] = cols[1]!.split(':') as [string, string];
      found.push(`${decodeAddress(addr)}:${parseInt(port, 16)}`);
    }
  }
  return found.sort();
}
