import { randomBytes } from 'node:crypto';

/** A UUIDv7 from the clock (the ingest checks the format and version). */
export function uuidv7(ms = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** One valid v1 track event, as the SDK sends it. */
export function validEvent(device: string, seq: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: uuidv7(),
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
  return { type: 'track', event: 'Order Completed', anonymousId: device, messageId: `msg-${uuidv7()}`, timestamp: new Date().toISOString(), properties: { revenue: 12 } };
}

export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}
