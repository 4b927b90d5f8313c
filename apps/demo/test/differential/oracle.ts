import { parseUserAgent } from '@eventline/processor';
import { LAKE_COLUMNS } from '@eventline/schemas';
import { fromEntries } from './json-values';
import { instantOf, lakeTimeOf } from './times';

/**
 * The lake row an event must become, column by column, written from the contracts (schemas,
 * ingest and processor READMEs), not from the code under test: upcast v1 → v2 (a first_touch that
 * is not a campaign moves to context.legacy_first_touch), the ingest's server fields (received_at,
 * app_id, sent_at from the batch, context.server with the derived time, the anonymised IP and the
 * User-Agent header; a client's context.ip dropped), the processor's flattening (known context
 * keys to columns, the rest kept in `context`), -0 as 0 in columns, and the user-agent columns
 * (parseUserAgent is the processor's documented enrichment, unit-tested on its own).
 * Values are normalised: JSON columns as canonical JSON text (sorted keys), times as
 * `yyyy-MM-ddTHH:mm:ss.SSSZ`, absent as null.
 */
export interface RequestFacts {
  appId: string;
  receivedAt: Date;
  batchSentAt: string;
  requestId: string;
  /** context.server.ip as the IP policy leaves it. */
  ip: string;
  userAgent: string;
}

export type Normalised = string | number | boolean | null;

type Obj = Record<string, unknown>;

/** JSON text with object keys sorted at every level: equal for equal values whatever the store's key order or number spelling. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Obj)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const plusZero = (n: number): number => (n === 0 ? 0 : n);

const CAMPAIGN_MAX: Record<string, number> = { source: 256, medium: 256, name: 256, term: 256, content: 256, click_id: 512, click_id_type: 32 };

/** Version 2's campaign shape: an object of only the known keys, each a string within its limit. */
function isCampaign(v: unknown): boolean {
  if (!isObject(v)) return false;
  return Object.entries(v).every(([k, x]) => own(CAMPAIGN_MAX, k) && typeof x === 'string' && x.length <= (CAMPAIGN_MAX[k] as number));
}

const TOP: Record<string, string> = { locale: 'locale', timezone: 'timezone', user_agent: 'user_agent' };
const NESTED: Record<string, Record<string, string>> = {
  page: { url: 'page_url', path: 'page_path', referrer: 'page_referrer', title: 'page_title' },
  library: { name: 'library_name', version: 'library_version' },
  screen: { width: 'screen_width', height: 'screen_height', density: 'screen_density' },
  campaign: { source: 'campaign_source', medium: 'campaign_medium', name: 'campaign_name', term: 'campaign_term', content: 'campaign_content', click_id: 'click_id', click_id_type: 'click_id_type' },
  consent: { analytics: 'consent_analytics', ads: 'consent_ads' },
  first_touch: {
    source: 'first_touch_source',
    medium: 'first_touch_medium',
    name: 'first_touch_name',
    term: 'first_touch_term',
    content: 'first_touch_content',
    click_id: 'first_touch_click_id',
    click_id_type: 'first_touch_click_id_type',
  },
};

/** `sent`: the event as the ingest parsed it (JSON.parse of what was sent), event_id included. */
export function expectedRow(sent: Obj, facts: RequestFacts): Record<string, Normalised> {
  const row: Record<string, Normalised> = Object.fromEntries(LAKE_COLUMNS.map((c) => [c.name, null]));
  for (const key of ['event_id', 'type', 'event', 'user_id', 'anonymous_id', 'previous_id', 'group_id', 'session_id'] as const) {
    if (typeof sent[key] === 'string') row[key] = sent[key];
  }
  row.schema_version = 2;
  row.seq = plusZero(sent.seq as number);
  row.client_ts = lakeTimeOf(sent.client_ts as string);
  const sentAt = (sent.sent_at as string | undefined) ?? facts.batchSentAt;
  row.sent_at = lakeTimeOf(sentAt);
  row.received_at = facts.receivedAt.toISOString();
  row.app_id = facts.appId;
  if (isObject(sent.properties)) row.properties = canonical(sent.properties);
  if (isObject(sent.traits)) row.traits = canonical(sent.traits);
  const props = isObject(sent.properties) ? sent.properties : {};
  if (typeof props.af_revenue === 'number') row.revenue = plusZero(props.af_revenue);
  if (typeof props.af_currency === 'string') row.currency = props.af_currency;

  const context = fromEntries(Object.entries(sent.context as Obj));
  const v1 = sent.schema_version === undefined || sent.schema_version === 1;
  if (v1 && own(context, 'first_touch') && !isCampaign(context.first_touch) && !own(context, 'legacy_first_touch')) {
    context.legacy_first_touch = context.first_touch;
    delete context.first_touch;
  }
  delete context.ip;
  context.server = { request_id: facts.requestId, derived_ts: derivedTs(sent.client_ts as string, sentAt, facts.receivedAt), ip: facts.ip, user_agent: facts.userAgent };
  for (const [key, column] of Object.entries(TOP)) {
    if (typeof context[key] === 'string') {
      row[column] = context[key];
      delete context[key];
    }
  }
  for (const [key, columns] of Object.entries(NESTED)) {
    const value = context[key];
    if (!isObject(value)) continue;
    const left: [string, unknown][] = [];
    for (const [inner, x] of Object.entries(value)) {
      const column = own(columns, inner) ? columns[inner] : undefined;
      if (column !== undefined && x !== null && typeof x !== 'object') row[column] = typeof x === 'number' ? plusZero(x) : (x as string | boolean);
      else left.push([inner, x]);
    }
    if (left.length > 0) context[key] = fromEntries(left);
    // An empty known object stays as {} (processor README, "Lake row": no column can say it was sent).
    else if (Object.keys(value).length === 0) context[key] = {};
    else delete context[key];
  }
  row.context = canonical(context);
  const ua = parseUserAgent(typeof (sent.context as Obj).user_agent === 'string' ? ((sent.context as Obj).user_agent as string) : undefined);
  row.browser_name = ua.browser_name;
  row.browser_version = ua.browser_version;
  row.os_name = ua.os_name;
  row.os_version = ua.os_version;
  row.device_type = ua.device_type;
  return row;
}

/** The ingest's derived timestamp (README, "What is stored"): received − (sent − client), or received when that gap is not positive. */
function derivedTs(clientTs: string, sentAt: string, receivedAt: Date): string {
  if (clientTs === sentAt) return receivedAt.toISOString();
  const gap = instantOf(sentAt) - instantOf(clientTs);
  return gap > 0 ? new Date(receivedAt.getTime() - gap).toISOString() : receivedAt.toISOString();
}
