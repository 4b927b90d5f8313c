import { createEventline } from '@eventline/sdk/node';
import { seededRandom } from '@eventline/devstack';

export interface SeedOptions {
  ingestUrl: string;
  writeKey: string;
  shoppers: number;
  /** Same seed, same shoppers: deterministic figures for screenshots and tests. */
  seed?: number;
  /** Aborted: no further shopper starts (the one under way finishes sending). */
  signal?: AbortSignal;
}

export interface SeedResult {
  /** Shoppers sent: fewer than asked when `signal` stopped the seeding. */
  shoppers: number;
  accepted: number;
  problems: string[];
}

const PRODUCTS = [
  { id: 'sku-tee', price: 19.99 },
  { id: 'sku-mug', price: 9.5 },
  { id: 'sku-cap', price: 24 },
  { id: 'sku-bag', price: 49 },
];
const CAMPAIGNS = [
  undefined,
  { source: 'google', medium: 'cpc', name: 'winter_sale', click_id_type: 'gclid', click_id: 'g-1' },
  { source: 'facebook', medium: 'paid_social', name: 'winter_sale', click_id_type: 'fbclid', click_id: 'f-1' },
  { source: 'newsletter', medium: 'email', name: 'november' },
];
const CURRENCIES = ['EUR', 'EUR', 'USD', 'GBP'];

/**
 * Synthetic shoppers through the real SDK and ingest: each views products, some add to cart, fewer
 * buy; they arrive from different campaigns and pay in different currencies.
 */
export async function seedShoppers(options: SeedOptions): Promise<SeedResult> {
  const rand = seededRandom(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const result: SeedResult = { shoppers: 0, accepted: 0, problems: [] };
  for (let i = 0; i < options.shoppers && !options.signal?.aborted; i++) {
    const campaign = pick(CAMPAIGNS);
    // Half the shoppers first came from another source than the one they came back from (the browser SDK
    // keeps the landing campaign as first touch by itself; this Node client is told).
    const firstTouch = rand() < 0.5 ? campaign : pick(CAMPAIGNS);
    const sdk = createEventline(
      { writeKey: options.writeKey, endpoint: options.ingestUrl, flushAt: 100, flushIntervalMs: 60_000 },
      { context: () => ({ ...(campaign ? { campaign } : {}), ...(firstTouch ? { first_touch: firstTouch } : {}), locale: 'en-GB', user_agent: 'eventline-seed/1' }) },
    );
    sdk.on('sent', (n) => void (result.accepted += n.accepted));
    sdk.on('drop', (n) => void result.problems.push(`drop: ${n.message}`));
    sdk.on('error', (n) => void result.problems.push(`error: ${n.message}`));
    const product = pick(PRODUCTS);
    sdk.track('af_content_view', { af_content_id: product.id, af_price: product.price });
    if (rand() < 0.6) {
      sdk.track('af_add_to_cart', { af_content_id: product.id, af_price: product.price, af_quantity: 1 });
      if (rand() < 0.5) {
        if (rand() < 0.5) sdk.track('af_complete_registration', { af_registration_method: 'email' });
        sdk.track('af_purchase', { af_revenue: product.price, af_currency: pick(CURRENCIES), af_content_id: product.id, af_quantity: 1 });
      }
    }
    await sdk.close();
    result.shoppers += 1;
  }
  return result;
}
