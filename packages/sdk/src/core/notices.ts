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

/** Something failed but nothing was lost: events stay queued and are retried. */
export interface ErrorNotice {
  message: string;
  status?: number;
  retryAfterMs?: number;
  /** When the next attempt is due (full-jitter backoff, at least Retry-After). */
  retryInMs?: number;
  error?: unknown;
  /** Events still queued after the failure. */
  queued: number;
}

export type DropReason =
  /** The ingest rejected the event (schema issues); it will never be accepted as is. */
  | 'rejected'
  /** A 4xx other than 408/413/425/429 for the whole batch (bad write key, malformed). */
  | 'http'
  /** A single event the ingest answers 413 for, even alone. */
  | 'too_large'
  /** The queue was over its count or byte bound; the oldest events made room. */
  | 'queue_full'
  /** Older than maxEventAgeMs, never delivered. */
  | 'expired'
  /** A call with arguments that cannot be sent (bad name, properties JSON cannot carry). */
  | 'invalid'
  /** A before/enrichment plugin returned null or threw. */
  | 'plugin'
  /** Consent denied or withdrawn, or the user opted out. */
  | 'consent'
  /** A call after close(). */
  | 'closed'
  /** Queue entries found in Storage that could not be read back (corrupt, unparseable): removed; no events. */
  | 'unreadable';

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
