import type { Campaign } from './types-campaign';

/** Click ids of the ad networks, in the order they are looked for. */
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid', 'twclid', 'li_fat_id', 'rdt_cid', 'sccid', 'epik', 'yclid'];
const UTM = ['source', 'medium', 'name', 'term', 'content'] as const;

/**
 * Campaign from a landing URL (utm_* and click ids), else from an external referrer (medium
 * "referral"); undefined for a direct visit. Values are clipped to the schema's limits.
 */
export function readCampaign(url: string | undefined, referrer: string | undefined): Campaign | undefined {
  const params = queryParams(url ?? '');
  const campaign: Campaign = {};
  for (const key of UTM) {
    const value = params.get(`utm_${key === 'name' ? 'campaign' : key}`);
    if (value) campaign[key] = value.slice(0, 256);
  }
  const clickKey = CLICK_IDS.find((k) => params.get(k));
  if (clickKey) {
    campaign.click_id = (params.get(clickKey) ?? '').slice(0, 512);
    campaign.click_id_type = clickKey;
  }
  if (Object.keys(campaign).length > 0) return campaign;
  const from = host(referrer);
  return from && from !== host(url) ? { source: from.slice(0, 256), medium: 'referral' } : undefined;
}

function queryParams(url: string): Map<string, string> {
  const out = new Map<string, string>();
  const query = url.split('#')[0]?.split('?')[1] ?? '';
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    if (key !== '') out.set(decode(key), decode(value));
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // handled: a malformed escape is kept as written
  }
}

function host(url: string | undefined): string | undefined {
  return url ? /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase() : undefined;
}
