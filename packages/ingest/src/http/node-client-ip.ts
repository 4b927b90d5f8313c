import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { forwardedClientIp } from './client-ip';

/** The client address on the Node server: the socket peer, or X-Forwarded-For behind `trustedHops` proxies. */
export function nodeClientIp(trustedHops: number): (c: Context) => string | undefined {
  return (c) => forwardedClientIp(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), trustedHops);
}
