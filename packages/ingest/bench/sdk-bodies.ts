import { SCHEMA_VERSION } from '@eventline/schemas';
import { uuidV7 } from '@eventline/devstack';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const PRODUCTS = Array.from({ length: 40 }, (_, i) => `sku-${i}`);

/**
 * Request bodies shaped like the SDK's (`packages/sdk`): one device per batch, its session and
 * page context on every event, AppsFlyer events with their typed properties, and `client_ts` spread
 * over the seconds before `sent_at` as a queue fills (so the ingest's skew correction parses and
 * formats a time per event, as it does for real batches). `version`: the envelope version the events
 * say they are (the current one, as the SDK sends; 1 to measure the ingest's upcasting of older clients).
 */
export function sdkShapedBodies(devices: number, eventsPerBatch: number, now = Date.now(), version: number = SCHEMA_VERSION): string[] {
  return Array.from({ length: devices }, (_, d) => {
    const sentAt = now - d * 37;
    const session = uuidV7();
    const context = {
      page: { url: `https://shop.example.com/p/${PRODUCTS[d % PRODUCTS.length]}?utm_source=news`, path: `/p/${PRODUCTS[d % PRODUCTS.length]}`, referrer: 'https://www.google.com/' },
      locale: 'en-GB',
      timezone: 'Europe/London',
      user_agent: UA,
      screen: { width: 1280, height: 720, density: 2 },
      library: { name: 'eventline-sdk', version: '0.1.0' },
    };
    const events = Array.from({ length: eventsPerBatch }, (_, i) => {
      const product = PRODUCTS[(d + i) % PRODUCTS.length];
      const kind = i % 10 === 9 ? 'af_purchase' : i % 3 === 0 ? 'af_add_to_cart' : 'af_content_view';
      const properties =
        kind === 'af_purchase'
          ? { af_revenue: 19.99 + i, af_currency: 'EUR', af_content_id: product, af_quantity: 1 + (i % 3) }
          : { af_content_id: product, af_price: 9.99, af_currency: 'EUR' };
      return {
        schema_version: version,
        event_id: uuidV7(),
        type: 'track',
        event: kind,
        properties,
        anonymous_id: `device-${d}`,
        ...(d % 2 === 0 ? { user_id: `user-${d}` } : {}),
        session_id: session,
        seq: i,
        client_ts: new Date(sentAt - (eventsPerBatch - i) * 413 - (d % 7)).toISOString(),
        context,
      };
    });
    return JSON.stringify({ sent_at: new Date(sentAt).toISOString(), events });
  });
}
