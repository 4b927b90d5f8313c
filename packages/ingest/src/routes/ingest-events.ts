import { clipText, CURRENT_VERSIONS, SCHEMA_VERSION, upcast, findUnstorableText, LIMITS, mayHoldUnstorableText, tooDeepIssue, validateEvent, type ClientEvent, type IngestRejectionCode, type Issue } from '@eventline/schemas';
import { storedEventEncoder, type EnrichInput, type StoredJson } from '../enrich';
import type { OutRecord, RecordWriter, WriteOutcome } from '../kinesis/record-writer';
import { utf8Prefix } from '../utf8-prefix';
import { findNonFinite, mayHoldNonFinite, NON_FINITE_MESSAGE } from '../non-finite';
import { capIssues } from '../cap-issues';
import { ANSWERED_EVENT_ID_MAX_UNITS } from '../answer-bound';
import { capAnswer } from '../cap-answer';
import { recordMaxBytes } from '../stored-size';
import { upcastAddedBytes } from '../upcast-size';
import { withoutExtras, type ExtraDropReason } from './segment-extra';

/** What became of one event; the `outcome` label of `eventline_ingest_events_total`. */
export const EVENT_OUTCOMES = ['accepted', 'rejected', 'retry'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export type EventStatus =
  | { event_id: string | null; status: 'accepted' }
  /** `issues_truncated`: issues were cut or left out here (the event's own bound, or the answer's); only then present. */
  | { event_id: string | null; status: 'rejected'; code: string; issues: Issue[]; issues_truncated?: true }
  | { event_id: string | null; status: 'retry'; code: string };

export interface BatchResponse {
  request_id: string;
  accepted: number;
  rejected: number;
  retry: number;
  results: EventStatus[];
  /** Present when the answer would have passed its bound (cap-answer.ts) and later rejections' issues were cut. */
  issues_truncated?: true;
}

export interface IngestDeps {
  writer: RecordWriter;
  streamName: string;
  badRowsStreamName: string;
  maxEventBytes: number;
  log?: (record: Record<string, unknown>) => void;
  /** Counts events by outcome for /metrics. */
  events?: { inc(labels: { outcome: EventOutcome }, value: number): void };
  /** Counts mapped Segment events stored without their `segment_extra` (`eventline_ingest_segment_extra_dropped_total`). */
  extrasDropped?: { inc(labels: { reason: ExtraDropReason }, value: number): void };
}

export interface IngestResult {
  response: BatchResponse;
  /** Set when anything is `retry`: seconds for the Retry-After header. */
  retryAfterSec?: number;
}

export interface IngestOptions {
  /** Events already found invalid by index (a Segment message breaking Segment's rules), with their issues. */
  refused?: ReadonlyMap<number, Issue[]>;
  /** Check each event's nesting (`LIMITS.eventMaxDepth`): the caller knows whether the body could hold a too-deep event. */
  checkDepth?: boolean;
  /**
   * The events are mapped Segment messages: one refused only because of its `context.segment_extra` (too
   * large, too deep, unstorable text) is stored without it, marked (segment-extra.ts `withoutExtras`).
   */
  segmentExtras?: boolean;
  /**
   * Each event's size as the client sent it, by index (a Segment message's, measured before mapping);
   * absent: the event's own, measured by the encoder (stored-size.ts).
   */
  sentBytes?: readonly number[];
}

/**
 * The byte bounds one event is held to: `sent` (undefined: the encoder's measure less `added`, what
 * upcasting added) against `max`, and its stored form against `record`.
 */
interface SizeBounds {
  sent: number | undefined;
  added: number;
  max: number;
  record: number;
}

/**
 * Validate each event on its own, write the good ones to the events stream and the bad ones as
 * bad rows, and say per event what happened. `accepted` means Kinesis holds it.
 */
export async function ingestEvents(deps: IngestDeps, rawEvents: unknown[], input: EnrichInput, options: IngestOptions = {}): Promise<IngestResult> {
  const { refused, checkDepth = false, segmentExtras = false, sentBytes } = options;
  const recordMax = recordMaxBytes(deps.maxEventBytes);
  const results: EventStatus[] = [];
  const good: Accepted[] = [];
  const bad: { index: number; record: OutRecord }[] = [];
  const storedJson = storedEventEncoder(input);
  for (let index = 0; index < rawEvents.length; index++) {
    const raw = rawEvents[index];
    const refusal = refused?.get(index);
    // A version issue is rejected as any other validation issue (per event, a bad row).
    // Clients may still send version 1 (or no version, which is 1); what is written is always the current one.
    const current = refusal ? { ok: false as const, issues: refusal } : upcast(raw, CURRENT_VERSIONS, `events[${index}]`);
    let checked: Checked;
    if (!current.ok) checked = { ok: false, code: 'invalid_event', issues: current.issues };
    else {
      // From here on the event is the upcast one: it is what is checked, stored, and rebuilt for a retry.
      const event = current.value;
      // The check spends the event object (storedEventEncoder unsets its `context`; a mapped Segment message has
      // no sent_at for it to unset, and the rebuilt event is not upcast again, so its unset schema_version does
      // not matter): the context is held so that a retry can rebuild the event.
      const context = segmentExtras ? contextOf(event) : undefined;
      // A version 1 event is measured by the encoder too, less what upcasting added (upcast-size.ts).
      const sent = sentBytes?.[index];
      const added = sent === undefined && current.from !== SCHEMA_VERSION ? upcastAddedBytes(raw as Record<string, unknown>, event) : 0;
      checked = checkEvent(event, index, { sent, added, max: deps.maxEventBytes, record: recordMax }, storedJson, checkDepth);
      if (!checked.ok && context && !checked.overLimitAsSent) {
        // The limit applies to the message as sent, which dropping its extras does not change: a message over
        // it is refused whatever the server adds or the extras' share (as Segment answers 400 past 32 KB); the
        // retry only helps one within it whose stored form is over the record bound (or too deep, unstorable).
        const bounds: SizeBounds = { sent: sent ?? checked.sentBytes, added: 0, max: deps.maxEventBytes, record: recordMax };
        checked = retryWithoutExtras(event, context, checked, (rebuilt) => checkEvent(rebuilt, index, bounds, storedJson, checkDepth), deps.extrasDropped);
      }
    }
    if (checked.ok) {
      good.push(checked);
      results.push({ event_id: checked.eventId, status: 'accepted' });
    } else {
      // Bounded in one place for every rejection: issues quote the event's property names, which may be huge.
      const { issues, cut } = capIssues(checked.issues);
      results.push({ event_id: eventIdOf(raw), status: 'rejected', code: checked.code, issues, ...(cut ? { issues_truncated: true as const } : {}) });
      bad.push({ index, record: badRow(raw, checked.code, issues, input, checked.payload, cut) });
    }
  }

  const none: WriteOutcome = { failed: [] };
  const [outcome, badOutcome] = await Promise.all([
    good.length > 0 ? deps.writer.put(deps.streamName, encodeAll(good)) : none,
    bad.length > 0 ? deps.writer.put(deps.badRowsStreamName, bad.map((b) => b.record)) : none,
  ]);
  // A rejected event whose bad row could not be stored is not dropped: the client retries it.
  const unwritten = [...outcome.failed.map((i) => good[i]!.index), ...badOutcome.failed.map((i) => bad[i]!.index)];
  for (const index of unwritten) results[index] = { event_id: results[index]!.event_id, status: 'retry', code: 'queue_unavailable' };

  const response = capAnswer(summarize(input.requestId, results));
  const lastError = outcome.lastError ?? badOutcome.lastError;
  if (lastError) deps.log?.({ level: 'warn', msg: 'events not written', request_id: input.requestId, app_id: input.appId, retry: unwritten.length, error: lastError });
  for (const kind of EVENT_OUTCOMES) if (response[kind] > 0) deps.events?.inc({ outcome: kind }, response[kind]);
  if (response.retry === 0) return { response };
  const waitMs = Math.max(outcome.retryAfterMs ?? 0, badOutcome.retryAfterMs ?? 0, 1000);
  return { response, retryAfterSec: Math.ceil(waitMs / 1000) };
}

/** A valid event in its stored form; `index` is its place in the request. */
interface Accepted {
  ok: true;
  index: number;
  eventId: string;
  partitionKey: string;
  json: string;
  bytes: number;
}

type Checked =
  | Accepted
  /**
   * `payload`: for an event refused after encoding (too large, text PostgreSQL cannot store), the event as it would have been stored (JSON text).
   * `overLimitAsSent`: refused for its size as sent (over INGEST_MAX_EVENT_BYTES), which nothing done to it here can change.
   */
  | { ok: false; code: IngestRejectionCode; issues: Issue[]; payload?: string; sentBytes?: number; overLimitAsSent?: true };

/**
 * An event at the current version (upcast already): nesting (when the body could hold a too-deep event),
 * validation, then the stored form as JSON text. The per-event limit applies to the event as sent
 * (`bounds.sent`, else the encoder's measure), the record bound to the stored form (stored-size.ts).
 */
function checkEvent(raw: Record<string, unknown>, index: number, bounds: SizeBounds, storedJson: (event: ClientEvent) => StoredJson, checkDepth: boolean): Checked {
  const prefix = `events[${index}]`;
  const tooDeep = checkDepth ? tooDeepIssue(raw, LIMITS.eventMaxDepth, prefix) : undefined;
  if (tooDeep) return { ok: false, code: 'invalid_event', issues: [tooDeep] };
  const result = validateEvent(raw, prefix);
  if (!result.ok) return { ok: false, code: 'invalid_event', issues: result.issues };
  const { event_id: eventId, anonymous_id: partitionKey } = result.value;
  // Held apart: the encoder unsets the event's context (enrich.ts), which the number search must still see.
  const context = result.value.context;
  const { json, bytes, sentBytes: measured } = storedJson(result.value);
  const sentBytes = bounds.sent ?? measured - bounds.added;
  // U+0000 or a lone surrogate would stop the PostgreSQL sink downstream; the JSON text says in tens of
  // ns whether to look (in the stored form: the encoder has spent the event object).
  const unstorable = mayHoldUnstorableText(json) ? findUnstorableText(JSON.parse(json), prefix) : undefined;
  if (unstorable) return { ok: false, code: 'invalid_event', issues: [unstorable], payload: json, sentBytes };
  const nonFinite = mayHoldNonFinite(json) ? findNonFinite(result.value, prefix) ?? findNonFinite(context, `${prefix}.context`) : undefined;
  if (nonFinite) return { ok: false, code: 'invalid_event', issues: [nonFinite], payload: json, sentBytes };
  if (sentBytes > bounds.max) {
    const message = `event is ${sentBytes} bytes as sent (compact JSON), over the ${bounds.max}-byte limit`;
    return { ok: false, code: 'event_too_large', issues: [{ path: prefix, code: 'too_big', message }], payload: json, sentBytes, overLimitAsSent: true };
  }
  if (bytes > bounds.record) {
    const message = `event is ${bytes} bytes as stored (server fields and mapping included), over the ${bounds.record}-byte record bound`;
    return { ok: false, code: 'event_too_large', issues: [{ path: prefix, code: 'too_big', message }], payload: json, sentBytes };
  }
  return { ok: true, index, eventId, partitionKey, json, bytes };
}

/**
 * Segment fields kept under `segment_extra` must never turn an acceptable event into a rejected one: when
 * the event is refused for its size, depth or unstorable text, it is checked again with the extras
 * replaced by a small marker, then (if the marker itself tips it over) without them; the first that
 * passes is stored and counted. A refusal that has nothing to do with the extras stands as it was.
 */
function retryWithoutExtras(raw: Record<string, unknown>, context: Record<string, unknown>, refused: Checked & { ok: false }, check: (event: Record<string, unknown>) => Checked, counter: IngestDeps['extrasDropped']): Checked {
  const reason = dropReason(refused);
  const lighter = reason && withoutExtras(raw, context, reason);
  if (!reason || !lighter) return refused;
  for (const event of [lighter.marked, lighter.bare]) {
    const checked = check(event);
    if (checked.ok) {
      counter?.inc({ reason }, 1);
      return checked;
    }
  }
  return refused;
}

/** A mapped event's context object, when it has one to hold extras. */
function contextOf(raw: unknown): Record<string, unknown> | undefined {
  const context = typeof raw === 'object' && raw !== null ? (raw as { context?: unknown }).context : undefined;
  return typeof context === 'object' && context !== null && !Array.isArray(context) ? (context as Record<string, unknown>) : undefined;
}

/** Refusals extras can cause; a schema refusal (no stored form, `payload`) cannot come from the open context's segment_extra. */
function dropReason(refused: Checked & { ok: false }): ExtraDropReason | undefined {
  if (refused.code === 'event_too_large') return 'too_large';
  if (refused.issues[0]?.code === 'too_deep') return 'too_deep';
  if (refused.payload === undefined) return undefined;
  // Both refusals carry code invalid_value; the message tells them apart.
  return refused.issues[0]?.message === NON_FINITE_MESSAGE ? 'unstorable_number' : 'unstorable_text';
}

/** One UTF-8 encoding for all of a request's events, each record a view on it: one Buffer.from per event cost more than the JSON. */
function encodeAll(events: { json: string; bytes: number; partitionKey: string }[]): OutRecord[] {
  const all = Buffer.from(events.map((e) => e.json).join(''), 'utf8');
  let offset = 0;
  return events.map((e) => {
    const data = all.subarray(offset, (offset += e.bytes));
    return { data, partitionKey: e.partitionKey };
  });
}

function summarize(requestId: string, results: EventStatus[]): BatchResponse {
  const counts = { accepted: 0, rejected: 0, retry: 0 };
  for (const result of results) counts[result.status] += 1;
  return { request_id: requestId, ...counts, results };
}

/** A rejected event's id as sent, cut at 64 units (ANSWERED_EVENT_ID_MAX_UNITS: it is answered and is its bad row's partition key) without splitting a pair. */
function eventIdOf(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).event_id : undefined;
  return typeof id === 'string' ? clipText(id, ANSWERED_EVENT_ID_MAX_UNITS) : null;
}

/**
 * A bad row's partition key: the event's id as sent, unless it is empty or holds U+0000 or a lone
 * surrogate (the processor copies the key into the lake's bad row, where such text cannot be read
 * back); then the request id, which is always plain text.
 */
function badRowKey(raw: unknown, requestId: string): string {
  const id = eventIdOf(raw);
  return id && findUnstorableText(id) === undefined ? id : requestId;
}

/** Bad rows keep the original payload (cut at 64 KiB of UTF-8 when huge) and say why it was rejected. */
const BAD_ROW_PAYLOAD_MAX_BYTES = 64 * 1024;

/** The bad-row record shape on the bad-rows stream (documented in the README; change additively). */
export interface BadRow {
  error_type: string;
  issues: Issue[];
  app_id: string;
  received_at: string;
  request_id: string;
  payload: string;
  payload_truncated: boolean;
  /** Present (true) when issues were cut at 1 KiB or left out past 100 / 64 KiB (`capIssues`). */
  issues_truncated?: true;
}

/**
 * `payloadText`: the payload already as JSON text (the stored form of an event too large); else `raw` is
 * stringified. `issues` must be bounded already (`capIssues`, `issuesCut` when it cut anything).
 */
export function badRow(raw: unknown, code: IngestRejectionCode, issues: Issue[], input: Pick<EnrichInput, 'appId' | 'receivedAt' | 'requestId'>, payloadText?: string, issuesCut?: boolean): OutRecord {
  const payload = utf8Prefix(payloadText ?? JSON.stringify(withoutClientIp(raw)) ?? 'undefined', BAD_ROW_PAYLOAD_MAX_BYTES);
  const row: BadRow = {
    error_type: code,
    issues,
    app_id: input.appId,
    received_at: input.receivedAt.toISOString(),
    request_id: input.requestId,
    payload: payload.text,
    payload_truncated: payload.cut,
    ...(issuesCut ? { issues_truncated: true as const } : {}),
  };
  return { data: encode(row), partitionKey: badRowKey(raw, input.requestId) };
}

/** The raw event without a client-sent `context.ip`: a bad row must not keep what a stored event may not. */
function withoutClientIp(raw: unknown): unknown {
  const context = typeof raw === 'object' && raw !== null ? (raw as { context?: unknown }).context : undefined;
  if (typeof context !== 'object' || context === null || Array.isArray(context) || !('ip' in context)) return raw;
  const rest: Record<string, unknown> = { ...(context as Record<string, unknown>) };
  delete rest.ip;
  return { ...(raw as Record<string, unknown>), context: rest };
}

export function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
