import { uuidV7 } from '@eventline/devstack';

/** One valid v1 track event, as the SDK sends it. */
export function validEvent(device: string, seq: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: uuidV7(),
    type: 'track',
    event: 'af_add_to_cart',
    properties: { af_price: 9.99, af_currency: 'EUR' },
    anonymous_id: device,
    seq,
    client_ts: new Date().toISOString(),
    context: { library: { name: 'fuzz', version: '0' } },
    ...overrides,
  };
}

export function validBatch(events: unknown[]): string {
  return JSON.stringify({ sent_at: new Date().toISOString(), events });
}

/** A Segment message, as `@segment/analytics-node` sends it. */
export function segmentTrack(device: string): Record<string, unknown> {
  return { type: 'track', event: 'Order Completed', anonymousId: device, messageId: `msg-${uuidV7()}`, timestamp: new Date().toISOString(), properties: { revenue: 12 } };
}

export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}
