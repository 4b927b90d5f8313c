import type { Expected, Ledger, Source } from './ledger';

/** What an event of the run looks like: a name and properties that carry its `chaos_key`. */
export interface ChaosEvent {
  name: string;
  properties: Record<string, unknown>;
}

/**
 * Events the ingest must refuse, each with the bad row it must become. The SDK lets all of them
 * through: it refuses at the call what it can check cheaply (ids, the typed AppsFlyer keys, depth),
 * but does not read every property string or key (U+0000, which PostgreSQL cannot store) nor measure an event's size.
 */
const INVALID: { expected: Expected; make: (key: string) => ChaosEvent }[] = [
  {
    expected: { lake: false, errorType: 'ingest_invalid_event' },
    make: (key) => ({ name: 'af_purchase', properties: { chaos_key: key, af_revenue: 12.5, af_currency: 'EUR', note: 'gift\u0000wrap' } }),
  },
  {
    expected: { lake: false, errorType: 'ingest_invalid_event' },
    // In a key this time (a lone surrogate would not survive the trip into the browser page intact).
    make: (key) => ({ name: 'af_content_view', properties: { chaos_key: key, ['gift\u0000wrap']: true } }),
  },
  {
    // Over the ingest's 32 KiB per stored event, under every request limit.
    expected: { lake: false, errorType: 'ingest_event_too_large' },
    make: (key) => ({ name: 'af_content_view', properties: { chaos_key: key, note: 'x'.repeat(40_000) } }),
  },
];

/**
 * The n-th event of a sender, recorded in the ledger before it is returned: every `invalidEvery`-th
 * one is invalid on purpose (cycling through the kinds above), the rest valid.
 */
export function nextEvent(ledger: Ledger, source: Source, n: number, invalidEvery: number): ChaosEvent {
  if (invalidEvery > 0 && n % invalidEvery === invalidEvery - 1) {
    const kind = INVALID[Math.floor(n / invalidEvery) % INVALID.length]!;
    return kind.make(ledger.track(source, kind.expected));
  }
  return validEvent(ledger.track(source, { lake: true }), n);
}

function validEvent(key: string, n: number): ChaosEvent {
  return n % 3 === 0
    ? { name: 'af_purchase', properties: { chaos_key: key, af_revenue: 19.99, af_currency: 'EUR', af_quantity: 1 } }
    : { name: 'af_content_view', properties: { chaos_key: key, af_content_id: `sku-${n % 7}` } };
}
