import type { Context } from 'hono';
import { RequestRejectedError } from '../errors';
import type { ParsedBody } from '../http/read-body';
import { respond } from './batch';
import { ingestEvents, type IngestDeps } from './ingest-events';
import type { RequestFacts } from './request-facts';
import { segmentBatchToEvents, segmentSentAtIssues } from './segment-map';

export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;

export interface SegmentRouteDeps extends IngestDeps {
  readBody: (c: Context) => Promise<ParsedBody>;
  facts: RequestFacts;
}

/** POST /v1/<type>: one Segment message; the path names its type (Segment's HTTP API). */
export function segmentRoute(type: (typeof SEGMENT_TYPES)[number], deps: SegmentRouteDeps) {
  return async function handleSegmentMessage(c: Context) {
    const body = (await deps.readBody(c)).value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RequestRejectedError(400, 'invalid_message', `the body must be one Segment ${type} message (a JSON object)`);
    }
    const message: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    delete message.writeKey;
    const sentAtIssues = segmentSentAtIssues(message.sentAt);
    if (sentAtIssues) throw new RequestRejectedError(400, 'invalid_message', `the Segment ${type} message is invalid`, sentAtIssues);
    const mapped = segmentBatchToEvents({ batch: [{ ...message, type }], sentAt: message.sentAt }, () => '');
    return respond(c, await ingestEvents(deps, mapped.events, deps.facts(c, mapped.sentAt), { refused: mapped.refused, checkDepth: true, segmentExtras: true, sentBytes: mapped.sentBytes }), true);
  };
}
