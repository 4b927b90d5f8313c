import type { StoredEvent } from '@eventline/schemas';
import type { UserAgentFields } from './user-agent';

/**
 * One accepted event as the lake, PostgreSQL and the SQL views see it: the StoredEvent fields
 * plus flattened context, campaign, consent and user-agent columns. The column list and types
 * are `LAKE_COLUMNS` in @eventline/schemas; this type mirrors it.
 */
export interface LakeRow extends UserAgentFields {
  event_id: string;
  schema_version: number;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string;
  previous_id: string | null;
  group_id: string | null;
  session_id: string | null;
  seq: number;
  client_ts: string;
  sent_at: string | null;
  received_at: string;
  app_id: string;
  properties: Record<string, unknown> | null;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown>;
  page_url: string | null;
  page_path: string | null;
  page_referrer: string | null;
  page_title: string | null;
  locale: string | null;
  timezone: string | null;
  library_name: string | null;
  library_version: string | null;
  screen_width: number | null;
  screen_height: number | null;
  campaign_source: string | null;
  campaign_medium: string | null;
  campaign_name: string | null;
  campaign_term: string | null;
  campaign_content: string | null;
  click_id: string | null;
  click_id_type: string | null;
  consent_analytics: boolean | null;
  consent_ads: boolean | null;
  revenue: number | null;
  currency: string | null;
}

/** Flatten a validated (and PII-filtered) event; `ua` comes from the raw user agent. */
export function toLakeRow(e: StoredEvent, ua: UserAgentFields): LakeRow {
  const ctx = e.context as StoredEvent['context'] & Record<string, unknown>;
  const page = ctx.page ?? {};
  const campaign = ctx.campaign ?? {};
  const consent = ctx.consent ?? {};
  const props = e.properties;
  return {
    event_id: e.event_id,
    schema_version: e.schema_version ?? 1,
    type: e.type,
    event: e.event ?? null,
    user_id: e.user_id ?? null,
    anonymous_id: e.anonymous_id,
    previous_id: e.previous_id ?? null,
    group_id: e.group_id ?? null,
    session_id: e.session_id ?? null,
    seq: e.seq,
    client_ts: e.client_ts,
    sent_at: e.sent_at ?? null,
    received_at: e.received_at,
    app_id: e.app_id,
    properties: props ?? null,
    traits: e.traits ?? null,
    context: ctx,
    page_url: page.url ?? null,
    page_path: page.path ?? null,
    page_referrer: page.referrer ?? null,
    page_title: page.title ?? null,
    locale: ctx.locale ?? null,
    timezone: ctx.timezone ?? null,
    library_name: ctx.library?.name ?? null,
    library_version: ctx.library?.version ?? null,
    screen_width: ctx.screen?.width ?? null,
    screen_height: ctx.screen?.height ?? null,
    campaign_source: campaign.source ?? null,
    campaign_medium: campaign.medium ?? null,
    campaign_name: campaign.name ?? null,
    campaign_term: campaign.term ?? null,
    campaign_content: campaign.content ?? null,
    click_id: campaign.click_id ?? null,
    click_id_type: campaign.click_id_type ?? null,
    consent_analytics: consent.analytics ?? null,
    consent_ads: consent.ads ?? null,
    ...ua,
    revenue: typeof props?.af_revenue === 'number' ? props.af_revenue : null,
    currency: typeof props?.af_currency === 'string' ? props.af_currency : null,
  };
}
