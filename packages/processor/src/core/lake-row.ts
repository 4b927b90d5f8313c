import { LAKE_COLUMNS, SCHEMA_VERSION, type StoredEvent } from '@eventline/schemas';
import { lakeTime } from './lake-time';
import type { UserAgentFields } from './user-agent';

/**
 * One accepted event as the lake, PostgreSQL and the SQL views see it: the StoredEvent fields,
 * the known context fields flattened into columns, and user-agent columns. Column list and types
 * are `LAKE_COLUMNS` in @eventline/schemas; this type mirrors it. Absent values are undefined
 * (every column is nullable) and left out of NDJSON lines, which keeps them short; `context` holds only the context
 * keys that have no column of their own, so nothing is stored twice and nothing is lost (an empty object
 * that has columns, `consent: {}`, is kept there as `{}`: no column can say it was sent).
 */
export interface LakeRow extends Partial<UserAgentFields> {
  event_id: string;
  schema_version: number;
  type: string;
  event?: string;
  user_id?: string;
  anonymous_id: string;
  previous_id?: string;
  group_id?: string;
  session_id?: string;
  seq: number;
  client_ts: string;
  sent_at?: string;
  received_at: string;
  app_id: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
  page_url?: string;
  page_path?: string;
  page_referrer?: string;
  page_title?: string;
  locale?: string;
  timezone?: string;
  user_agent?: string;
  library_name?: string;
  library_version?: string;
  screen_width?: number;
  screen_height?: number;
  screen_density?: number;
  campaign_source?: string;
  campaign_medium?: string;
  campaign_name?: string;
  campaign_term?: string;
  campaign_content?: string;
  click_id?: string;
  click_id_type?: string;
  consent_analytics?: boolean;
  consent_ads?: boolean;
  revenue?: number;
  currency?: string;
  first_touch_source?: string;
  first_touch_medium?: string;
  first_touch_name?: string;
  first_touch_term?: string;
  first_touch_content?: string;
  first_touch_click_id?: string;
  first_touch_click_id_type?: string;
}

type Obj = Record<string, unknown>;

/** context.<object>.<key> → column. */
const NESTED: Record<string, Record<string, keyof LakeRow>> = {
  page: { url: 'page_url', path: 'page_path', referrer: 'page_referrer', title: 'page_title' },
  library: { name: 'library_name', version: 'library_version' },
  screen: { width: 'screen_width', height: 'screen_height', density: 'screen_density' },
  campaign: {
    source: 'campaign_source',
    medium: 'campaign_medium',
    name: 'campaign_name',
    term: 'campaign_term',
    content: 'campaign_content',
    click_id: 'click_id',
    click_id_type: 'click_id_type',
  },
  consent: { analytics: 'consent_analytics', ads: 'consent_ads' },
  // Envelope v2: the first campaign the device landed from, the same shape as `campaign` (v1 records are upcast first).
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
/** context.<key> → column. */
const TOP: Record<string, keyof LakeRow> = { locale: 'locale', timezone: 'timezone', user_agent: 'user_agent' };
/**
 * The same tables as Maps, for looking keys up: in an object literal, a context key such as
 * `constructor` or `__proto__` (a context or `consent` may hold any key) finds Object.prototype's members.
 */
const TOP_COLUMNS = new Map(Object.entries(TOP));
const NESTED_COLUMNS = new Map(Object.entries(NESTED).map(([key, columns]) => [key, new Map(Object.entries(columns))]));

/** Each context-derived column's path in the event (`page_url` → `context.page.url`): how a PII path names it. */
export const COLUMN_PATHS: ReadonlyMap<string, string> = new Map([
  ...Object.entries(TOP).map(([key, column]): [string, string] => [column, `context.${key}`]),
  ...Object.entries(NESTED).flatMap(([object, columns]) => Object.entries(columns).map(([key, column]): [string, string] => [column, `context.${object}.${key}`])),
]);

const OPTIONAL = ['event', 'user_id', 'previous_id', 'group_id', 'session_id', 'sent_at', 'properties', 'traits'] as const;

const TEXT_COLUMNS = new Set(LAKE_COLUMNS.filter((column) => column.type === 'string' || column.type === 'json').map((column) => column.name));

/**
 * Event paths whose column holds a number, a boolean or a time: a hashed value (a hex string) has
 * no place there (a Parquet flush fails on it, on every retry), so the PII policy refuses to hash
 * them; dropping them is fine.
 */
export const NON_TEXT_PATHS: ReadonlySet<string> = new Set([
  ...OPTIONAL.filter((key) => !TEXT_COLUMNS.has(key)),
  ...Object.entries(TOP).flatMap(([key, column]) => (TEXT_COLUMNS.has(column) ? [] : [`context.${key}`])),
  ...Object.entries(NESTED).flatMap(([object, columns]) =>
    Object.entries(columns).flatMap(([key, column]) => (TEXT_COLUMNS.has(column) ? [] : [`context.${object}.${key}`])),
  ),
]);

/** Flatten a validated (and PII-filtered) event; `ua` comes from the raw user agent. */
export function toLakeRow(e: StoredEvent, ua: UserAgentFields): LakeRow {
  // Every column in one literal (a test keeps its keys equal to LAKE_COLUMNS), absent ones undefined:
  // rows share one hidden class and stay fast objects. Added one by one by computed name, a row with
  // more than 12 such columns (envelope v2's first_touch makes 33 keys) became a slow dictionary object.
  // JSON.stringify leaves undefined out, so NDJSON lines stay as short as before; the order is the one
  // the keys used to be added in, which gzip compresses best (LAKE_COLUMNS order cost 2 B per event).
  // Every writer treats undefined as absent.
  const row: LakeRow = {
    event_id: e.event_id,
    // Upcasting sets it on every older event; absent only if a caller skipped upcast.
    schema_version: e.schema_version ?? SCHEMA_VERSION,
    type: e.type,
    anonymous_id: e.anonymous_id,
    seq: plusZero(e.seq),
    client_ts: lakeTime(e.client_ts),
    received_at: lakeTime(e.received_at),
    app_id: e.app_id,
    event: undefined,
    user_id: undefined,
    previous_id: undefined,
    group_id: undefined,
    session_id: undefined,
    sent_at: undefined,
    properties: undefined,
    traits: undefined,
    library_name: undefined,
    library_version: undefined,
    page_url: undefined,
    page_path: undefined,
    page_referrer: undefined,
    page_title: undefined,
    locale: undefined,
    timezone: undefined,
    screen_width: undefined,
    screen_height: undefined,
    screen_density: undefined,
    user_agent: undefined,
    campaign_source: undefined,
    campaign_medium: undefined,
    campaign_name: undefined,
    campaign_term: undefined,
    campaign_content: undefined,
    click_id: undefined,
    click_id_type: undefined,
    first_touch_source: undefined,
    first_touch_medium: undefined,
    first_touch_name: undefined,
    first_touch_term: undefined,
    first_touch_content: undefined,
    first_touch_click_id: undefined,
    first_touch_click_id_type: undefined,
    consent_analytics: undefined,
    consent_ads: undefined,
    context: undefined,
    browser_name: undefined,
    browser_version: undefined,
    os_name: undefined,
    os_version: undefined,
    device_type: undefined,
    revenue: undefined,
    currency: undefined,
  };
  const out = row as unknown as Obj;
  for (const key of OPTIONAL) {
    const value = e[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (row.sent_at !== undefined) row.sent_at = lakeTime(row.sent_at);
  const rest = flattenContext(e.context, out);
  if (rest) row.context = rest;
  if (ua.browser_name !== null) row.browser_name = ua.browser_name;
  if (ua.browser_version !== null) row.browser_version = ua.browser_version;
  if (ua.os_name !== null) row.os_name = ua.os_name;
  if (ua.os_version !== null) row.os_version = ua.os_version;
  row.device_type = ua.device_type;
  const props = e.properties;
  if (typeof props?.af_revenue === 'number') row.revenue = plusZero(props.af_revenue);
  if (typeof props?.af_currency === 'string') row.currency = props.af_currency;
  return row;
}

/** Copy known context fields into columns; return what is left (undefined when nothing). */
function flattenContext(context: Obj, out: Obj): Obj | undefined {
  let rest: Obj | undefined;
  for (const key in context) {
    if (!Object.hasOwn(context, key)) continue;
    const value = context[key];
    const column = TOP_COLUMNS.get(key);
    const nested = NESTED_COLUMNS.get(key);
    if (column !== undefined && (typeof value === 'string' || typeof value === 'number')) {
      out[column] = plusZero(value);
    } else if (nested !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const left = flattenObject(value as Obj, nested, out);
      if (left) rest = keep(rest, key, left);
      else if (!hasValues(value as Obj)) rest = keep(rest, key, {});
    } else if (value !== undefined) {
      rest = keep(rest, key, value);
    }
  }
  return rest;
}

function flattenObject(value: Obj, columns: Map<string, keyof LakeRow>, out: Obj): Obj | undefined {
  let left: Obj | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const inner = value[key];
    const column = columns.get(key);
    if (column !== undefined && inner !== null && typeof inner !== 'object') out[column] = plusZero(inner);
    else if (inner !== undefined) left = keep(left, key, inner);
  }
  return left;
}

/** Whether an object holds a value JSON would write (`{ a: undefined }` is `{}` on the stream). */
function hasValues(value: Obj): boolean {
  for (const key in value) if (Object.hasOwn(value, key) && value[key] !== undefined) return true;
  return false;
}

/**
 * -0 (JSON allows it: `"density":-0`) as 0 in a column. NDJSON (JSON.stringify) and PostgreSQL
 * wrote 0, while Parquet's DOUBLE kept -0.0, so the formats disagreed. JSON columns are written
 * by JSON.stringify in every format, which writes 0.
 */
function plusZero<T>(value: T): T {
  return (value === 0 ? 0 : value) as T;
}

/** `into[key] = value` as an own property (a `__proto__` key assigned so would set the prototype and be lost). */
function keep(into: Obj | undefined, key: string, value: unknown): Obj {
  const obj = into ?? {};
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
  return obj;
}
