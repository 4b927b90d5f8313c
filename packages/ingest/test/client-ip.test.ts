import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { anonymizeIp, createMemoryWriter, forwardedClientIp, nodeClientIp } from '../src';
import { clientNetwork, ipForStorage } from '../src/http/client-ip';
import { batch, decode, event, post, testApp } from './helpers';

describe('IP as stored', () => {
  it("never keeps an IPv6 zone id (the client's own text when it is the leftmost X-Forwarded-For entry: unbounded)", () => {
    expect(ipForStorage(`fe80::1%${'z'.repeat(300)}`, 'full')).toBe('fe80::1');
    expect(ipForStorage('fe80::1%eth0', 'anonymize')).toBe('fe80:0:0::');
    expect(ipForStorage('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', 'full')).toBe('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255');
    expect(ipForStorage('203.0.113.7', 'full')).toBe('203.0.113.7');
    expect(ipForStorage('not-an-ip%x', 'full')).toBeUndefined();
  });
});

describe('client IP behind proxies (X-Forwarded-For)', () => {
  it('ignores X-Forwarded-For by default: any client can write it', () => {
    expect(forwardedClientIp('10.0.0.5', '198.51.100.7', 0)).toBe('10.0.0.5');
  });

  it('takes the N-th entry from the right behind N trusted proxies; what the client wrote further left is ignored', () => {
    const header = '6.6.6.6, 198.51.100.7, 10.0.0.9';
    expect(forwardedClientIp('10.0.0.5', header, 1)).toBe('10.0.0.9');
    expect(forwardedClientIp('10.0.0.5', header, 2)).toBe('198.51.100.7');
    expect(forwardedClientIp('10.0.0.5', '198.51.100.7', 3)).toBe('198.51.100.7');
    expect(forwardedClientIp('10.0.0.5', '2001:db8::1', 1)).toBe('2001:db8::1');
  });

  it('falls back to the peer when the header is absent or empty', () => {
    expect(forwardedClientIp('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
    expect(forwardedClientIp('10.0.0.5', ' , ', 1)).toBe('10.0.0.5');
  });

  it('leaves out a port on the entry (Azure Application Gateway writes one), IPv4 and bracketed IPv6', () => {
    expect(forwardedClientIp('10.0.0.5', '203.0.113.7:51234', 1)).toBe('203.0.113.7');
    expect(forwardedClientIp('10.0.0.5', '6.6.6.6, [2001:db8::1]:443', 1)).toBe('2001:db8::1');
    expect(forwardedClientIp('10.0.0.5', '[2001:db8::1]', 1)).toBe('2001:db8::1');
  });

  it('gives no client address, never the peer (the proxy), for an entry that is not an address', () => {
    for (const entry of ['unknown', '1.2.3.4:', 'host.example:80', '[::1']) expect(forwardedClientIp('10.0.0.5', entry, 1)).toBeUndefined();
  });

  it('behind a proxy: clients with ports get a bucket each; an entry that is no address is not limited per client and stores no IP', async () => {
    const writer = createMemoryWriter();
    let xff = '';
    const clientIp = () => forwardedClientIp('10.0.0.5', xff, 1);
    const app = testApp(writer, { clientRateLimitPerSecond: 1, clientRateLimitBurst: 1, ipMode: 'full' }, { clientIp });
    const statuses: number[] = [];
    for (const entry of ['198.51.100.1:50123', '198.51.100.2:50124', '[2001:db8::1]:443', 'unknown', 'unknown', '198.51.100.1:50999']) {
      xff = entry;
      statuses.push((await app.request('/v1/batch', post(batch([event()])))).status);
    }
    // The proxy's address was the bucket of all four: 200, 429, 429, 429, 429, 429.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const ips = writer.records.get('events')!.map((r) => (decode(r.data) as { context: { server: { ip?: string } } }).context.server.ip);
    expect(ips).toEqual(['198.51.100.1', '198.51.100.2', '2001:db8::1', undefined, undefined]);
  });
});

describe('client network (the per-client bucket)', () => {
  it('reads IPv4 carried in IPv6 in any spelling as the IPv4 client, not the /64 0:0:0:0::/64 of all of them', () => {
    for (const ip of ['203.0.113.7', '::ffff:203.0.113.7', '::FFFF:203.0.113.7', '::ffff:cb00:7107', '0:0:0:0:0:ffff:cb00:7107', '::203.0.113.7']) {
      expect([ip, clientNetwork(ip)]).toEqual([ip, '203.0.113.7']);
    }
    expect(anonymizeIp('::ffff:cb00:7107')).toBe('203.0.113.0');
    // The IPv6 loopback and other IPv6 addresses stay IPv6.
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('2001:db8:1:2::ffff:1.2.3.4')).toBe('2001:db8:1:2::/64');
  });

  it.each([
    [0, '127.0.0.0'],
    [1, '198.51.100.0'],
  ])('on the Node server with %i trusted proxies the stored (anonymised) IP is %s', async (hops, expected) => {
    const writer = createMemoryWriter();
    const server = serve({ fetch: testApp(writer, {}, { clientIp: nodeClientIp(hops) }).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const init = post(batch([event()]), { 'x-forwarded-for': '198.51.100.7' });
      expect((await fetch(`http://127.0.0.1:${port}/v1/batch`, init)).status).toBe(200);
      const stored = decode(writer.records.get('events')![0]!.data) as { context: { server: { ip?: string } } };
      expect(stored.context.server.ip).toBe(expected);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
