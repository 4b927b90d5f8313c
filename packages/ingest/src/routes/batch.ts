import type { Context } from 'hono';
import { LIMITS, validateBatchShape } from '@eventline/schemas';
import { RequestRejectedError } from '../errors';
import type { ParsedBody } from '../http/read-body';
import { ingestEvents, type IngestDeps, type IngestResult } from './ingest-events';
import type { RequestFacts } from './request-facts';
import { checkSharedContext, isSegmentBatch, segmentBatchToEvents, segmentSentAtIssues } from './segment-map';

export type { BatchResponse, EventStatus } from './ingest-events';

export interface BatchRouteDeps extends IngestDeps {
  maxBatchEvents: number;
  maxSegmentBatchEvents: number;
  /** Bytes a Segment batch's shared `context` may add in copies (its size × messages): INGEST_MAX_DECOMPRESSED_BYTES. */
  maxSharedContextCopyBytes: number;
  readBody: (c: Context) => Promise<ParsedBody>;
  facts: RequestFacts;
}

/**
 * POST /v1/batch: our envelope `{sent_at, events}` or Segment's `{batch, sentAt}`. 200 once Kinesis
 * holds every accepted event; entries Kinesis did not take are `retry` (503 + Retry-After when none
 * could be written).
 */
export function batchRoute(deps: BatchRouteDeps) {
  return async function handleBatch(c: Context) {
    const parsed = await deps.readBody(c);
    const body = withoutWriteKey(parsed.value);
    if (isSegmentBatch(body)) {
      checkCount(body.batch.length, deps.maxSegmentBatchEvents);
      checkSharedContext(body.context, body.batch.length, deps.maxSharedContextCopyBytes);
      const sentAtIssues = segmentSentAtIssues(body.sentAt);
      if (sentAtIssues) throw new RequestRejectedError(400, 'invalid_batch', 'the batch envelope is invalid', sentAtIssues);
      const mapped = segmentBatchToEvents(body);
      // Always checked: the mapping moves fields (the batch's context into each message), so the body's depth does not bound an event's.
      return respond(c, await ingestEvents(deps, mapped.events, deps.facts(c, mapped.sentAt), { refused: mapped.refused, checkDepth: true, segmentExtras: true, sentBytes: mapped.sentBytes }), true);
    }
    const events = (body as { events?: unknown } | null)?.events;
    if (Array.isArray(events)) checkCount(events.length, deps.maxBatchEvents);
    const shape = validateBatchShape(body);
    if (!shape.ok) throw new RequestRejectedError(400, 'invalid_batch', 'the batch envelope is invalid', shape.issues);
    // An event sits 2 levels down (envelope, events array): only a body deeper than that can hold a too-deep event.
    const checkDepth = parsed.depth > LIMITS.eventMaxDepth + 2;
    return respond(c, await ingestEvents(deps, shape.value.events, deps.facts(c, shape.value.sent_at), { checkDepth }), false);
  };
}

/**
 * 200 with per-event statuses; 503 + Retry-After when nothing was written. Segment clients read only
 * the status, so for them any `retry` makes it a 503 (they resend all; event ids are stable for
 * messages with a messageId and a timestamp, so what was written twice is deduplicated downstream).
 */
export function respond(c: Context, result: IngestResult, statusOnlyClient: boolean) {
  const { response, retryAfterSec } = result;
  if (retryAfterSec !== undefined) c.header('Retry-After', String(retryAfterSec));
  const unavailable = response.retry > 0 && (response.accepted === 0 || statusOnlyClient);
  return c.json(response, unavailable ? 503 : 200);
}

function checkCount(count: number, max: number): void {
  if (count > max) throw new RequestRejectedError(413, 'too_many_events', `the batch has ${count} events; at most ${max} per request`);
}

function withoutWriteKey(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('writeKey' in body)) return body;
  const rest: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  delete rest.writeKey;
  return rest;
}
