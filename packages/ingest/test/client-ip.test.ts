import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter, forwardedClientIp, nodeClientIp } from '../src';
import { batch, decode, event, post, testApp } from './helpers';

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

  it('falls back to the peer when the header is absent, empty or not an address', () => {
    expect(forwardedClientIp('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
    expect(forwardedClientIp('10.0.0.5', ' , ', 1)).toBe('10.0.0.5');
    expect(forwardedClientIp('10.0.0.5', 'unknown', 1)).toBe('10.0.0.5');
    expect(forwardedClientIp('10.0.0.5', '1.2.3.4:5678', 1)).toBe('10.0.0.5');
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
