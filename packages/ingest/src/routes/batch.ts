import type { Context } from 'hono';
import { validateBatchShape, validateEvent, type Issue, type StoredEvent } from '@eventline/schemas';
import { enrich } from '../enrich';
import { errorBody } from '../errors';
import type { RecordWriter, OutRecord } from '../kinesis/record-writer';
import type { AuthVariables } from '../middleware/auth';

export type EventStatus =
  | { event_id: string | null; status: 'accepted' }
  | { event_id: string | null; status: 'rejected'; code: string; issues: Issue[] }
  | { event_id: string | null; status: 'retry'; code: string };

export interface BatchResponse {
  request_id: string;
  accepted: number;
  rejected: number;
  retry: number;
  results: EventStatus[];
}

export interface BatchRouteDeps {
  writer: RecordWriter;
  streamName: string;
  badRowsStreamName: string;
  maxEventBytes: number;
  now: () => Date;
}

type Env = { Variables: AuthVariables & { requestId: string } };

/**
 * POST /v1/batch: validate each event on its own, write the good ones to Kinesis, and answer
 * per event. 200 only once Kinesis holds every accepted event; entries Kinesis did not take are
 * answered `retry` (503 with Retry-After when none could be written).
 */
export function batchRoute(deps: BatchRouteDeps) {
  return async function handleBatch(c: Context<Env>) {
    const requestId = c.get('requestId');
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unreadable body';
      return c.json(errorBody('invalid_json', `body is not valid JSON: ${reason}`, undefined, requestId), 400);
    }
    const shape = validateBatchShape(body);
    if (!shape.ok) return c.json(errorBody('invalid_batch', 'the batch envelope is invalid', shape.issues, requestId), 400);

    const receivedAt = deps.now();
    const results: EventStatus[] = [];
    const good: { index: number; event: StoredEvent }[] = [];
    const bad: OutRecord[] = [];
    shape.value.events.forEach((raw, index) => {
      const checked = checkEvent(raw, index, deps.maxEventBytes);
      if (checked.ok) {
        const event = enrich(checked.value, { appId: c.get('appId'), receivedAt, batchSentAt: shape.value.sent_at });
        good.push({ index, event });
        results.push({ event_id: event.event_id, status: 'accepted' });
      } else {
        results.push({ event_id: eventIdOf(raw), status: 'rejected', code: checked.code, issues: checked.issues });
        bad.push(badRow(raw, checked.code, checked.issues, c.get('appId'), receivedAt, requestId));
      }
    });

    const records = good.map(({ event }) => ({ data: encode(event), partitionKey: event.anonymous_id }));
    const [outcome, badOutcome] = await Promise.all([
      records.length > 0 ? deps.writer.put(deps.streamName, records) : Promise.resolve({ failed: [] as number[] }),
      bad.length > 0 ? deps.writer.put(deps.badRowsStreamName, bad) : Promise.resolve({ failed: [] as number[] }),
    ]);
    for (const i of outcome.failed) {
      const { index, event } = good[i]!;
      results[index] = { event_id: event.event_id, status: 'retry', code: 'queue_unavailable' };
    }
    if (badOutcome.failed.length > 0) {
      // A rejected event whose bad row could not be stored is not dropped: the client retries it.
      const rejectedIndexes = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      for (const j of badOutcome.failed) {
        const index = rejectedIndexes[j]!;
        results[index] = { event_id: results[index]!.event_id, status: 'retry', code: 'queue_unavailable' };
      }
    }

    const response = summarize(requestId, results);
    if (response.retry > 0 && response.accepted === 0) {
      c.header('Retry-After', '1');
      return c.json(response, 503);
    }
    return c.json(response, 200);
  };
}

type Checked = { ok: true; value: Parameters<typeof enrich>[0] } | { ok: false; code: string; issues: Issue[] };

function checkEvent(raw: unknown, index: number, maxEventBytes: number): Checked {
  const prefix = `events[${index}]`;
  const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (size > maxEventBytes) {
    return { ok: false, code: 'event_too_large', issues: [{ path: prefix, code: 'too_big', message: `event is ${size} bytes, over the ${maxEventBytes}-byte limit` }] };
  }
  const result = validateEvent(raw, prefix);
  return result.ok ? { ok: true, value: result.value } : { ok: false, code: 'invalid_event', issues: result.issues };
}

function summarize(requestId: string, results: EventStatus[]): BatchResponse {
  const count = (s: EventStatus['status']) => results.filter((r) => r.status === s).length;
  return { request_id: requestId, accepted: count('accepted'), rejected: count('rejected'), retry: count('retry'), results };
}

function eventIdOf(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).event_id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : null;
}

/** Bad rows keep the original payload (truncated when huge) and say why it was rejected. */
const BAD_ROW_PAYLOAD_MAX = 64 * 1024;
function badRow(raw: unknown, code: string, issues: Issue[], appId: string, receivedAt: Date, requestId: string): OutRecord {
  const payload = JSON.stringify(raw) ?? 'undefined';
  const row = {
    error_type: code,
    issues,
    app_id: appId,
    received_at: receivedAt.toISOString(),
    request_id: requestId,
    payload: payload.length > BAD_ROW_PAYLOAD_MAX ? payload.slice(0, BAD_ROW_PAYLOAD_MAX) : payload,
    payload_truncated: payload.length > BAD_ROW_PAYLOAD_MAX,
  };
  return { data: encode(row), partitionKey: eventIdOf(raw) ?? requestId };
}

function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
