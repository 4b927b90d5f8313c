/**
 * Every `error_type` a bad row can have: the one list the processor's metrics, the ingest's rejection
 * codes, the catalog's partition projection (an Athena `enum`) and its `error_type` comment are built from.
 */

/** Why the processor itself turned a record into a bad row (`postgres`: an event PostgreSQL refused; it is in the lake too). */
export const PROCESSOR_ERROR_TYPES = ['decode', 'parse', 'validation', 'partition', 'postgres'] as const;

/** Why the ingest rejected an event (sent on its bad-rows stream); the processor stores them as `ingest_<code>`. */
export const INGEST_REJECTION_CODES = ['invalid_event', 'event_too_large'] as const;
export type IngestRejectionCode = (typeof INGEST_REJECTION_CODES)[number];

/** A record on the bad-rows stream that is not an ingest bad row at all. */
export const INGEST_UNREADABLE = 'ingest_unreadable' as const;

/**
 * An ingest bad row with a code not in INGEST_REJECTION_CODES (a newer ingest, another producer):
 * stored under this type, its code in the reason, so the folder stays one Athena's enum projection lists.
 */
export const INGEST_OTHER = 'ingest_other' as const;

export type BadRowErrorTypeName = (typeof PROCESSOR_ERROR_TYPES)[number] | `ingest_${IngestRejectionCode}` | typeof INGEST_UNREADABLE | typeof INGEST_OTHER;

export const BAD_ROW_ERROR_TYPES: readonly BadRowErrorTypeName[] = [
  ...PROCESSOR_ERROR_TYPES,
  ...INGEST_REJECTION_CODES.map((code) => `ingest_${code}` as const),
  INGEST_UNREADABLE,
  INGEST_OTHER,
];
