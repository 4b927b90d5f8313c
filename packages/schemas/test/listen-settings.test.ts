import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isAddressOrHostName, isHostName, isIpAddress, parseSwitch } from '../src';

/** A small seeded generator (mulberry32): the same strings every run, so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Address-like strings: groups of hex and dotted quads joined by `:` and `::`, some with a zone or a stray character. */
function addressLike(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hex = (): string => Math.floor(random() * 0x1ffff).toString(16).slice(0, 1 + Math.floor(random() * 5));
  const quad = (): string => Array.from({ length: pick([3, 4, 4, 4, 5]) }, () => pick(['0', '1', '9', '10', '99', '255', '256', '010', '199'])).join('.');
  const parts = Array.from({ length: Math.floor(random() * 10) }, () => (random() < 0.1 ? quad() : hex()));
  let text = parts.join(':');
  if (random() < 0.5) {
    const at = Math.floor(random() * (parts.length + 1));
    text = [parts.slice(0, at).join(':'), parts.slice(at).join(':')].join('::');
  }
  if (random() < 0.2) text = text + '%' + pick(['eth0', 'lo', '1', '', 'a b', 'x:y.z-1', '%']);
  if (random() < 0.1) text = pick([':', '.', ' ', 'g', '[']) + text;
  if (random() < 0.1) text = text + pick([':', '.', ' ', 'g', ']']);
  if (random() < 0.15) text = quad();
  return text;
}

describe('listen settings', () => {
  it('reads a switch: 1/true/yes/on, 0/false/no/off in any case, unset or empty off, anything else undefined', () => {
    for (const on of ['1', 'true', 'yes', 'on', 'TRUE', 'Yes', ' on ']) expect(parseSwitch(on)).toBe(true);
    for (const off of [undefined, '', '  ', '0', 'false', 'no', 'off', 'OFF', 'False']) expect(parseSwitch(off)).toBe(false);
    for (const neither of ['2', 'y', 'n', 'enabled', 'true!', 'o n', '-1']) expect(parseSwitch(neither)).toBeUndefined();
  });

  it('takes the host names resolvers take, `_` and a trailing dot included, and nothing with a port, scheme or space', () => {
    for (const name of ['localhost', 'ingest_1', 'ingest.local.', 'a-b.example.com', 'x'.repeat(63)]) expect(isHostName(name)).toBe(true);
    for (const name of ['', 'my host', 'host:8080', 'http://host', '-x', 'a..b', 'x'.repeat(64), '[::1]', 'é.com']) expect(isHostName(name)).toBe(false);
  });

  it('accepts exactly the IP addresses node:net accepts (listed forms, then 20,000 generated strings)', () => {
    const listed = [
      '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.0.0.1', '010.0.0.1', '1.2.3', '1.2.3.4.5',
      '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3',
      '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4::', '::1.2.3.4',
      'fe80::1%eth0', 'fe80::1%', '1.2.3.4%eth0', 'fe80::1%a b', '[::1]', 'FFFF::abcd', '12345::', 'g::1',
    ];
    for (const text of listed) expect(isIpAddress(text), text).toBe(isIP(text) !== 0);
    const random = seeded(20_261_127);
    let valid = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const text = addressLike(random);
      const expected = isIP(text) !== 0;
      if (isIpAddress(text) !== expected) expect.fail(`isIpAddress("${text}") should be ${expected}, as node:net's isIP says`);
      if (expected) valid += 1;
    }
    // The generator reaches both answers often, so the comparison means something.
    expect(valid).toBeGreaterThan(1_000);
    expect(valid).toBeLessThan(19_000);
  });

  it('takes an address or a host name for a listen host, and refuses a port, scheme or brackets', () => {
    for (const host of ['0.0.0.0', '::', '127.0.0.1', 'ingest_1', 'localhost', 'fe80::1%lo']) expect(isAddressOrHostName(host)).toBe(true);
    for (const host of ['0.0.0.0:8080', 'http://0.0.0.0', '[::]', 'my host', '']) expect(isAddressOrHostName(host)).toBe(false);
  });
});
