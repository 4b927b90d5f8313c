import type { Campaign } from './types-campaign';
import { clip } from './clip';

/** Click ids of the ad networks, in the order they are looked for. */
const CLICK_IDS = 'gclid gbraid wbraid dclid fbclid msclkid ttclid twclid li_fat_id rdt_cid sccid epik yclid'.split(' ');
const UTM = ['source', 'medium', 'name', 'term', 'content'] as const;

/**
 * Campaign from a landing URL (utm_* and click ids), else from an external referrer (medium
 * "referral"); undefined for a direct visit. Values are clipped to the schema's limits. Only called
 * where there is a landing URL (web), so the WHATWG URL parser is there.
 */
export function readCampaign(url: string | undefined, referrer: string | undefined): Campaign | undefined {
  const landing = parse(url);
  const params = landing?.searchParams;
  const campaign: Campaign = {};
  for (const key of UTM) {
    const value = params?.get(`utm_${key === 'name' ? 'campaign' : key}`);
    if (value) campaign[key] = clip(value, 256);
  }
  const clickKey = CLICK_IDS.find((k) => params?.get(k));
  if (clickKey) {
    campaign.click_id = clip(params?.get(clickKey) ?? '', 512);
    campaign.click_id_type = clickKey;
  }
  if (Object.keys(campaign).length > 0) return campaign;
  const from = parse(referrer)?.hostname;
  return from && from !== landing?.hostname ? { source: clip(from, 256), medium: 'referral' } : undefined;
}

function parse(url: string | undefined): URL | undefined {
  try {
    return url ? new URL(url) : undefined;
  } catch {
    return undefined; // handled: an unparsable URL carries no campaign
  }
}
