import type { Context } from 'hono';
import type { EnrichInput } from '../enrich';
import { ipForStorage, type IpMode } from '../http/client-ip';

/** Builds the per-request enrichment input from the context: app, request id, clock, IP, UA. */
export type RequestFacts = (c: Context, batchSentAt: string) => EnrichInput;

export function requestFacts(opts: { now: () => Date; ipMode: IpMode; clientIp: (c: Context) => string | undefined }): RequestFacts {
  return function factsOf(c, batchSentAt) {
    const vars = c.var as { appId: string; requestId: string };
    return {
      appId: vars.appId,
      requestId: vars.requestId,
      receivedAt: opts.now(),
      batchSentAt,
      ip: ipForStorage(opts.clientIp(c), opts.ipMode),
      userAgent: c.req.header('user-agent'),
    };
  };
}
