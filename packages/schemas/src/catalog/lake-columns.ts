/**
 * The lake table: one row per accepted event, flattened from StoredEvent (the current version) by the processor.
 * The single list that the Parquet writer, the PostgreSQL table, the DuckDB views and the
 * Glue / Athena definitions are all derived from. Add a column here and every one follows.
 */
import { BAD_ROW_ERROR_TYPES } from './bad-row-types';

export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'json';

export interface LakeColumn {
  name: string;
  type: ColumnType;
  comment: string;
}

const c = (name: string, type: ColumnType, comment: string): LakeColumn => ({ name, type, comment });

/** The comment of bad rows' `error_type` (a column and the folder partition), generated from the one list of types. */
const ERROR_TYPE_COMMENT = `why the record failed: ${BAD_ROW_ERROR_TYPES.join(' | ')}`;

export const LAKE_COLUMNS: readonly LakeColumn[] = [
  c('event_id', 'string', 'UUIDv7 from the client; with app_id, the dedupe key'),
  c('schema_version', 'int', 'envelope version after upcasting'),
  c('type', 'string', 'track | identify | page | screen | alias | group'),
  c('event', 'string', 'event name for track, e.g. af_purchase'),
  c('user_id', 'string', 'customer user id (may be hashed by the PII policy)'),
  c('anonymous_id', 'string', 'device id; the Kinesis partition key (an HMAC of the user id where a PII policy on user_id met a Segment message with only a userId)'),
  c('previous_id', 'string', 'alias: the previous id'),
  c('group_id', 'string', 'group: the group id'),
  c('session_id', 'string', 'SDK session id'),
  c('seq', 'bigint', 'per-device sequence number'),
  c('client_ts', 'timestamp', 'when the client says the event happened'),
  c('sent_at', 'timestamp', 'when the client sent it'),
  c('received_at', 'timestamp', 'when the ingest received it (partitions come from this)'),
  c('app_id', 'string', 'application, from the write key'),
  c('properties', 'json', 'event properties (AppsFlyer keys typed)'),
  c('traits', 'json', 'identify traits'),
  c('context', 'json', 'context keys without a column of their own (after the PII policy)'),
  c('page_url', 'string', 'context.page.url'),
  c('page_path', 'string', 'context.page.path'),
  c('page_referrer', 'string', 'context.page.referrer'),
  c('page_title', 'string', 'context.page.title'),
  c('locale', 'string', 'context.locale'),
  c('timezone', 'string', 'context.timezone'),
  c('user_agent', 'string', 'context.user_agent (raw; drop it with the PII policy if needed)'),
  c('library_name', 'string', 'context.library.name'),
  c('library_version', 'string', 'context.library.version'),
  c('screen_width', 'int', 'context.screen.width'),
  c('screen_height', 'int', 'context.screen.height'),
  c('screen_density', 'double', 'context.screen.density'),
  c('campaign_source', 'string', 'context.campaign.source (utm_source)'),
  c('campaign_medium', 'string', 'context.campaign.medium (utm_medium)'),
  c('campaign_name', 'string', 'context.campaign.name (utm_campaign)'),
  c('campaign_term', 'string', 'context.campaign.term (utm_term)'),
  c('campaign_content', 'string', 'context.campaign.content (utm_content)'),
  c('click_id', 'string', 'context.campaign.click_id (gclid, fbclid, …)'),
  c('click_id_type', 'string', 'context.campaign.click_id_type'),
  c('consent_analytics', 'boolean', 'context.consent.analytics'),
  c('consent_ads', 'boolean', 'context.consent.ads'),
  c('browser_name', 'string', 'from context.user_agent'),
  c('browser_version', 'string', 'from context.user_agent'),
  c('os_name', 'string', 'from context.user_agent'),
  c('os_version', 'string', 'from context.user_agent'),
  c('device_type', 'string', 'desktop | mobile | tablet | tv | bot | unknown, from context.user_agent'),
  c('revenue', 'double', 'properties.af_revenue'),
  c('currency', 'string', 'properties.af_currency'),
  // Envelope version 2. Last, so that a table made before them gets them by appending (Athena ADD COLUMNS).
  c('first_touch_source', 'string', 'context.first_touch.source: the first campaign the device landed from (v1 events too, upcast)'),
  c('first_touch_medium', 'string', 'context.first_touch.medium'),
  c('first_touch_name', 'string', 'context.first_touch.name'),
  c('first_touch_term', 'string', 'context.first_touch.term'),
  c('first_touch_content', 'string', 'context.first_touch.content'),
  c('first_touch_click_id', 'string', 'context.first_touch.click_id'),
  c('first_touch_click_id_type', 'string', 'context.first_touch.click_id_type'),
];

/** Folder (Hive) partitions of `events/`: in the object key, not in the Athena column list. */
export const LAKE_PARTITIONS: readonly LakeColumn[] = [
  c('app_id', 'string', 'application'),
  c('event_date', 'string', 'UTC date of received_at, YYYY-MM-DD'),
  c('hour', 'int', 'UTC hour of received_at, 0-23'),
];

/** A bad row: a record that could not become an event, kept under `bad_rows/`. */
export const BAD_ROW_COLUMNS: readonly LakeColumn[] = [
  c('error_type', 'string', ERROR_TYPE_COMMENT),
  c('reason', 'string', 'one issue per line, with the field path'),
  c('sequence_number', 'string', 'Kinesis sequence number of the record'),
  c('partition_key', 'string', 'Kinesis partition key of the record'),
  c('payload', 'string', 'the record as text, cut at 64 KiB'),
  c('payload_truncated', 'boolean', 'payload was cut'),
  c('arrived_at', 'timestamp', 'Kinesis arrival time'),
  c('failed_at', 'timestamp', 'when processing failed (ingest rejections: when received)'),
  c('app_id', 'string', 'ingest rejections: the app of the write key'),
  c('request_id', 'string', 'ingest rejections: the HTTP request id'),
  c('issues_truncated', 'boolean', 'ingest rejections: the ingest cut the issues (reason lists only those kept); null on bad rows the processor made itself'),
];

export const BAD_ROW_PARTITIONS: readonly LakeColumn[] = [
  c('error_type', 'string', ERROR_TYPE_COMMENT),
  c('event_date', 'string', 'UTC date of arrival, YYYY-MM-DD'),
];

/**
 * A record the Firehose transformation answered `ProcessingFailed` (the processor's own bad rows in
 * Firehose mode), as Firehose itself writes it under its error prefix: the fields of AWS's "Handle
 * failure in data transformation" page. Firehose's JSON keys are camelCase; Hive column names are
 * lower case, so this table's SerDe matches keys case-insensitively (FIREHOSE_FAILED_TABLE).
 */
export const FIREHOSE_FAILED_COLUMNS: readonly LakeColumn[] = [
  c('attemptsmade', 'bigint', 'attemptsMade: how many times Firehose invoked the Lambda for the record'),
  c('arrivaltimestamp', 'bigint', 'arrivalTimestamp: when Firehose received the record, epoch milliseconds (from_unixtime(arrivaltimestamp / 1000))'),
  c('errorcode', 'string', 'errorCode: Firehose\'s code (the processor answered ProcessingFailed, or the invocation failed)'),
  c('errormessage', 'string', 'errorMessage: Firehose\'s message; the processor\'s reason is in its log line, not here'),
  c('attemptendingtimestamp', 'bigint', 'attemptEndingTimestamp: when Firehose stopped invoking the Lambda, epoch milliseconds'),
  c('rawdata', 'string', 'rawData: the record as sent, base64 (from_utf8(from_base64(rawdata)))'),
  c('lambdaarn', 'string', 'lambdaArn: the transformation function'),
];

export const FIREHOSE_FAILED_PARTITIONS: readonly LakeColumn[] = [
  c('event_date', 'string', 'UTC day of the error object, YYYY-MM-DD (!{timestamp:yyyy-MM-dd} in the error prefix: the oldest record\'s arrival)'),
];
