import type { LakeRow } from '../core/lake-row';

/**
 * Where finished files go. An object key is a relative, `/`-separated path such as
 * `events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000-1-9.ndjson.gz`.
 * `write` resolves only once the bytes are durable, and writing the same key again replaces it.
 */
export interface Sink {
  write(objectKey: string, bytes: Uint8Array): Promise<void>;
}

/**
 * Where rows go (a database). `writeRows` resolves once the rows are durable and must be
 * idempotent on `(app_id, event_id)`: a replay after a crash writes the same rows again. Rows the database
 * refuses for their own values (a constraint, a value out of range) are returned, with why, instead
 * of failing every other row's write forever; delivery keeps them as bad rows.
 */
export interface RowSink {
  writeRows(rows: readonly LakeRow[]): Promise<readonly RefusedRow[] | void>;
  close(): Promise<void>;
}

export interface RefusedRow {
  row: LakeRow;
  reason: string;
}
