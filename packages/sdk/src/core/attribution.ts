import type { Campaign } from './types-campaign';
import { clip, unstorable } from './clip';

/** Click ids of the ad networks, in the order they are looked for. */
const CLICK_IDS = /* @__PURE__ */ 'gclid gbraid wbraid dclid fbclid msclkid ttclid twclid li_fat_id rdt_cid sccid epik yclid'.split(' ');
const UTM = ['source', 'medium', 'name', 'term', 'content'] as const;

/**
 * Campaign from a landing URL (utm_* and click ids), else from an external referrer (medium
 * "referral"); undefined for a direct visit. Values are clipped to the schema's limits. A value that
 * decodes to text the ingest refuses (U+0000, `?utm_source=a%00b`, or a lone surrogate) is left out,
 * that field alone: kept as first touch, it got every later event of the device refused. Only called
 * where there is a landing URL (web), so the WHATWG URL parser is there.
 */
export function readCampaign(url: string | undefined, referrer: string | undefined): Campaign | undefined {
  const landing = parse(url);
  const params = landing?.searchParams;
  const campaign: Campaign = {};
  for (const key of UTM) {
    const value = kept(params?.get(`utm_${key === 'name' ? 'campaign' : key}`), 256);
    if (value) campaign[key] = value;
  }
  const clickKey = CLICK_IDS.find((k) => params?.get(k));
  const clickId = clickKey && kept(params?.get(clickKey), 512);
  if (clickId) {
    campaign.click_id = clickId;
    campaign.click_id_type = clickKey;
  }
  if (Object.keys(campaign).length > 0) return campaign;
  const from = parse(referrer)?.hostname;
  return from && from !== landing?.hostname ? { source: clip(from, 256), medium: 'referral' } : undefined;
}

/** The value clipped to `max`; undefined when empty or holding text the ingest refuses. */
function kept(value: string | null | undefined, max: number): string | undefined {
  const text = value && clip(value, max);
  return text && !unstorable(text) ? text : undefined;
}

function parse(url: string | undefined): URL | undefined {
  try {
    return url ? new URL(url) : undefined;
  } catch {
    return undefined; // handled: an unparsable URL carries no campaign
  }
}
