import { uuidV7 } from '@eventline/devstack';
import { SCHEMA_VERSION } from '@eventline/schemas';
import type { InputRecord } from '../src';

const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];

/** `count` realistic stored events as Kinesis records (a few user agents, many devices). */
export function records(count: number): InputRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const event = {
      // The current envelope, as the ingest writes it (v1 records would add the upcast's copy of each event).
      schema_version: SCHEMA_VERSION,
      event_id: uuidV7(Date.now() + i),
      type: 'track',
      event: i % 5 === 0 ? 'af_purchase' : 'af_content_view',
      properties: { af_revenue: i % 100, af_currency: 'EUR', af_content_id: `sku-${i % 300}`, af_quantity: 1 },
      anonymous_id: `device-${i % 997}`,
      session_id: `s-${i % 3000}`,
      seq: i,
      client_ts: new Date(1_764_063_000_000 + i * 10).toISOString(),
      context: {
        library: { name: 'eventline-sdk', version: '0.1.0' },
        page: { url: `https://shop.example/p/${i % 300}?utm_source=news`, path: `/p/${i % 300}`, title: 'Product' },
        user_agent: USER_AGENTS[i % USER_AGENTS.length],
        campaign: { source: 'news', medium: 'email', name: 'winter' },
        // The SDK sends the first campaign the device landed from with every event (v2's first_touch_* columns).
        first_touch: { source: 'google', medium: 'cpc', name: 'launch', click_id: `g-${i % 997}`, click_id_type: 'gclid' },
        locale: 'en-GB',
      },
      received_at: new Date(1_764_063_000_500 + i * 10).toISOString(),
      app_id: 'shop',
    };
    return { data: Buffer.from(JSON.stringify(event)), partitionKey: event.anonymous_id, sequenceNumber: String(10n ** 40n + BigInt(i)) };
  });
}
