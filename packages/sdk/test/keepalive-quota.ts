import { gunzipSync } from 'node:zlib';
import type { ClientBatch } from '@eventline/schemas';
import { KEEPALIVE_BYTES } from '../src/core/delivery';
import type { SendOptions, Transport } from '../src/core/types';
import { utf8Length } from '../src/core/utf8';

export interface QuotaSend {
  events: ClientBatch['events'];
  bytes: number;
  keepalive: boolean;
}

/**
 * The page's keepalive quota as Chromium (and Safari) keep it: 64 KiB for every keepalive fetch and
 * beacon of the page together, whoever sent them. A keepalive request over what is left fails with a
 * TypeError (Chromium: "Failed to fetch"); a beacon over it is refused (false). `others` is what other
 * scripts' requests hold; the SDK's requests hold theirs until answered (`answer` false: never, the
 * page is gone).
 */
export function sharedKeepaliveQuota(others = 0, answer: () => boolean = () => true) {
  let held = others;
  const sent: QuotaSend[] = [];
  const beacons: QuotaSend[] = [];
  const refused: number[] = [];
  const text = (body: string | Uint8Array) => (typeof body === 'string' ? body : gunzipSync(Buffer.from(body)).toString('utf8'));
  const transport: Transport = {
    send(_url, body, _headers, options?: SendOptions) {
      const bytes = typeof body === 'string' ? utf8Length(body) : body.length;
      const keepalive = !!options?.keepalive;
      if (keepalive && held + bytes > KEEPALIVE_BYTES) return Promise.reject(new TypeError('Failed to fetch'));
      if (keepalive) held += bytes;
      const { events } = JSON.parse(text(body)) as ClientBatch;
      sent.push({ events, bytes, keepalive });
      if (!answer()) return new Promise<never>(() => undefined);
      if (keepalive) held -= bytes;
      return Promise.resolve({ status: 200, body: { results: events.map((e) => ({ event_id: e.event_id, status: 'accepted' })) } });
    },
  };
  const beacon = (_url: string, body: string): boolean => {
    const bytes = utf8Length(body);
    if (held + bytes > KEEPALIVE_BYTES) return void refused.push(bytes), false;
    held += bytes;
    beacons.push({ events: (JSON.parse(body) as ClientBatch).events, bytes, keepalive: true });
    return true;
  };
  return { transport, beacon, sent, beacons, refused, endOthers: () => void (held -= others) };
}
