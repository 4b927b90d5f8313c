import type { ClientEvent } from '../src';

/** A valid event; overrides may be deliberately wrong, to test rejections. */
export function validEvent(overrides: Record<string, unknown> = {}): ClientEvent {
  return {
    event_id: '019abcde-1234-7abc-8def-0123456789ab',
    type: 'track',
    event: 'af_purchase',
    properties: { af_revenue: 12.5, af_currency: 'EUR', af_quantity: 2, color: 'red' },
    anonymous_id: 'dev-1',
    seq: 0,
    client_ts: '2026-11-25T13:31:11.123Z',
    context: { library: { name: 'eventline-sdk', version: '0.1.0' }, locale: 'en-GB' },
    ...overrides,
  };
}
