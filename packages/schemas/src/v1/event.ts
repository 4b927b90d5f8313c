import { Type, type Static } from '@sinclair/typebox';
import { AfProperties, type EventProperties } from '../af-events';
import { EVENT_TYPES, LIMITS } from '../limits';
import { Context } from './context';

export { EVENT_TYPES, LIMITS, SCHEMA_VERSION, type EventType } from '../limits';

/** The version this file describes: kept to read (upcast) version 1 events, which clients and stream records still hold. */
export const V1 = 1 as const;

const Id = Type.String({ minLength: 1, maxLength: LIMITS.idMax });
/** RFC 3339 timestamp, e.g. 2026-11-25T13:31:11.123Z. */
const Timestamp = Type.String({ format: 'date-time' });

/**
 * The fields a client sent for one event in envelope version 1 (the current version, in ../v2, builds on it).
 * Server fields (`received_at`, `app_id`) are not accepted from clients: see StoredEvent.
 */
export const ClientEvent = Type.Object(
  {
    schema_version: Type.Optional(Type.Literal(V1)),
    event_id: Type.String({ format: 'uuid-v7' }),
    type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.eventNameMax })),
    properties: Type.Optional(AfProperties),
    traits: Type.Optional(Type.Object({}, { additionalProperties: true })),
    user_id: Type.Optional(Type.Union([Id, Type.Null()])),
    anonymous_id: Id,
    previous_id: Type.Optional(Id),
    group_id: Type.Optional(Id),
    session_id: Type.Optional(Id),
    // Beyond 2^53 a JSON number is no longer the integer it was written as (the column is a 64-bit integer).
    seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    client_ts: Timestamp,
    sent_at: Type.Optional(Timestamp),
    context: Context,
  },
  { additionalProperties: false, $id: 'ClientEventV1' },
);
export type ClientEvent = Omit<Static<typeof ClientEvent>, 'properties' | 'traits'> & {
  properties?: EventProperties;
  traits?: Record<string, unknown>;
};

/** What a client POSTs to /v1/batch. */
export const Batch = Type.Object(
  {
    sent_at: Timestamp,
    events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: LIMITS.batchMaxEvents }),
  },
  { additionalProperties: false, $id: 'Batch' },
);

const APP_ID_MAX = 128;
const APP_ID_PATTERN = '^[A-Za-z0-9_-]+$';
const AppId = Type.String({ minLength: 1, maxLength: APP_ID_MAX, pattern: APP_ID_PATTERN });

/** Fields the ingest adds; clients cannot set them. */
export const ServerFields = Type.Object({
  received_at: Timestamp,
  app_id: AppId,
});

const APP_ID = new RegExp(APP_ID_PATTERN);

/** Whether `text` is an `app_id` a stored event can have (the one rule; the catalog's enum projection checks with it). */
export function isAppId(text: string): boolean {
  return text.length <= APP_ID_MAX && APP_ID.test(text);
}

/** A version 1 event as it travelled through Kinesis and landed in the lake. */
export const StoredEvent = Type.Composite([ClientEvent, ServerFields], {
  additionalProperties: false,
  $id: 'StoredEventV1',
});
export type StoredEvent = ClientEvent & Static<typeof ServerFields>;
