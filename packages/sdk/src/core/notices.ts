import type { ClientEvent, Issue } from '@eventline/schemas';

/** An event before the device id and seq are stamped on it (they come from async Storage). */
export type EventDraft = Omit<ClientEvent, 'anonymous_id' | 'seq'> & Partial<Pick<ClientEvent, 'anonymous_id' | 'seq'>>;

/** A request reached the ingest and got a 2xx. */
export interface SentNotice {
  status: number;
  requestId?: string;
  accepted: number;
  /** The `event_id`s the ingest accepted in this request (they are in the queue service now). */
  acceptedIds: string[];
  rejected: number;
  retry: number;
}

/** Something failed but nothing was lost: events stay queued for the next flush. */
export interface ErrorNotice {
  message: string;
  status?: number;
  retryAfterMs?: number;
  error?: unknown;
  /** Events still queued after the failure. */
  queued: number;
}

export type DropReason =
  /** The ingest rejected the event (schema issues); it will never be accepted as is. */
  | 'rejected'
  /** A 4xx other than 408/429 for the whole batch (bad write key, malformed, too large). */
  | 'http'
  /** The queue was over maxQueue; the oldest event made room. */
  | 'queue_full'
  /** track() got a name or properties that cannot be sent (not a string, not JSON-serialisable). */
  | 'invalid'
  /** track() after close(). */
  | 'closed';

/** Events left the SDK without being accepted. Nothing is dropped silently. */
export interface DropNotice {
  reason: DropReason;
  message: string;
  events: EventDraft[];
  status?: number;
  code?: string;
  issues?: Issue[];
}

export interface ClientNotices {
  sent: SentNotice;
  error: ErrorNotice;
  drop: DropNotice;
}
