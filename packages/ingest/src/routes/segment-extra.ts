/**
 * What of a Segment message has no place in our envelope, kept under `context.segment_extra` rather
 * than dropped: the message's other top-level fields (`integrations`, `_metadata`, `channel`, a
 * `category` the user's own `properties.category` already holds, …), the values the mapping could not
 * store as sent (a `timestamp` without offset, an over-long `event` or id) under their own name, and under
 * `segment_extra.context` the `page`, `campaign` and `library` keys our context has no field for,
 * under `segment_extra.batch` the batch body's own other fields.
 * Never kept: `writeKey` (a credential); `context.ip` and `context.server` are dropped by the mapping
 * (the ingest sets the IP under INGEST_IP and the server block itself).
 */
type Fields = Record<string, unknown>;

/** Top-level fields the mapping always moves into the event (the type comes from the path or the message). */
const MAPPED = new Set(['type', 'anonymousId', 'userId', 'previousId', 'groupId', 'properties', 'traits', 'context', 'timestamp', 'writeKey']);

export interface ExtraInput {
  message: Fields;
  /** Top-level fields the mapping used for this message beyond MAPPED (e.g. `event` of a track, `name` of a page). */
  used: ReadonlySet<string>;
  /** Fields the mapping could not store as sent (a timestamp without offset, a fitted name or id), by Segment name: kept as sent. */
  kept?: Fields;
  /** The sentAt stored as the event's sent_at: a message's own equal one is not kept twice. */
  sentAt: string;
  /** Leftovers of context objects our schema closes, by key (`page`, `campaign`, `library`). */
  contextLeft: Fields;
  /** The batch body's own leftovers (Segment's batch-wide `integrations`, …), kept as `batch`. */
  batchFields?: Fields;
  /**
   * The message's own `context` when it is not an object (a string, a number, an array): not mapped, kept as
   * sent under `context` (under `context_sent` when the batch's shared context left keys there too).
   */
  unmappedContext?: unknown;
}

export function segmentExtra({ message, used, kept = {}, sentAt, contextLeft, batchFields, unmappedContext }: ExtraInput): Fields | undefined {
  // fromEntries defines the keys: `extra[key] = value` with a client's key `__proto__` would set the prototype, dropping the field.
  const extra: Fields = Object.fromEntries([
    ...Object.entries(kept),
    ...Object.entries(message).filter(([key, value]) => !MAPPED.has(key) && !used.has(key) && !Object.hasOwn(kept, key) && value !== undefined && !(key === 'sentAt' && value === sentAt)),
  ]);
  if (Object.keys(contextLeft).length > 0) extra.context = contextLeft;
  if (unmappedContext !== undefined) extra[extra.context === undefined ? 'context' : 'context_sent'] = unmappedContext;
  if (batchFields) extra.batch = batchFields;
  return Object.keys(extra).length > 0 ? extra : undefined;
}

/** The keys of `from` not in `known`, or undefined when there are none. */
export function leftover(from: Fields, known: readonly string[]): Fields | undefined {
  const rest = Object.fromEntries(Object.entries(from).filter(([k, v]) => !known.includes(k) && v !== undefined));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * Why an event's `segment_extra` was dropped: with it the event would be refused (over the per-event
 * byte limit, nested deeper than `LIMITS.eventMaxDepth`, holding text PostgreSQL cannot store, or a
 * number beyond ±1.8e308 that JSON would store as null)
 * while without it the event is accepted. Keeping extras must never cost a client its event.
 */
export const EXTRA_DROP_REASONS = ['too_large', 'too_deep', 'unstorable_text', 'unstorable_number'] as const;
export type ExtraDropReason = (typeof EXTRA_DROP_REASONS)[number];

/** What is stored in place of dropped extras: the reason and the UTF-8 size of the extras' JSON. */
export interface ExtraDropped {
  dropped: ExtraDropReason;
  bytes: number;
}

/**
 * The mapped event with its `context.segment_extra` replaced by an `ExtraDropped` marker (`marked`), and
 * with none at all (`bare`, for the rare event the ~50-byte marker itself would push over the limit);
 * undefined when the context holds no segment_extra. `context` is passed apart from the event: a checked
 * event object has had its own unset (enrich.ts), so only these new objects carry one.
 */
export function withoutExtras(event: Fields, context: Fields, reason: ExtraDropReason): { marked: Fields; bare: Fields } | undefined {
  if (!('segment_extra' in context)) return undefined;
  const { segment_extra: extra, ...rest } = context;
  const marker = dropMarker(extra, reason);
  return { marked: { ...event, context: { ...rest, segment_extra: marker } }, bare: { ...event, context: rest } };
}

/** The marker stored in place of `value`: the reason and the UTF-8 size of its JSON. */
export function dropMarker(value: unknown, reason: ExtraDropReason): ExtraDropped {
  return { dropped: reason, bytes: Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') };
}
