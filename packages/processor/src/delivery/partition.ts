import type { BadRow } from '../core/bad-row';
import type { LakeRow } from '../core/lake-row';
import type { RowCheck } from '../core/process';
import { compilePrefix, DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX, PartitionValueError, type Prefix, type PrefixContext } from './prefix';

/**
 * The prefix context of an event: time from `received_at` in UTC. Server time, not the client's
 * clock: client clocks are wrong or faked, and a replay of the same record must land in the same
 * folder. Partition keys: app_id, event, type (Firehose's "partitionKeyFromQuery").
 */
export function eventContext(row: Pick<LakeRow, 'app_id' | 'received_at'> & Partial<Pick<LakeRow, 'event' | 'type'>>): PrefixContext {
  const partitionKeys: Record<string, string> = { app_id: row.app_id };
  if (row.type) partitionKeys.type = row.type;
  if (row.event) partitionKeys.event = row.event;
  return { timestamp: new Date(row.received_at), partitionKeys };
}

/** A bad row's context: the Kinesis arrival time when known (stable across replays), else the failure time. */
export function badRowContext(row: Pick<BadRow, 'error_type' | 'arrived_at' | 'failed_at'>): PrefixContext {
  return { timestamp: new Date(row.arrived_at ?? row.failed_at), partitionKeys: {}, errorOutputType: row.error_type };
}

const defaultEventPrefix = compilePrefix(DEFAULT_EVENT_PREFIX);
const defaultErrorPrefix = compilePrefix(DEFAULT_ERROR_PREFIX, 'errors');

/** `events/app_id=<app_id>/event_date=YYYY-MM-DD/hour=HH/` (the Hive default). */
export function eventPrefix(row: Parameters<typeof eventContext>[0], prefix: Prefix = defaultEventPrefix): string {
  if (prefix !== defaultEventPrefix || !UTC_HOUR.test(row.received_at)) return prefix(eventContext(row));
  // The default layout depends only on app_id and the UTC hour: one evaluation per pair. A shard's
  // events mostly share the last pair, checked first without building a key.
  if (last !== undefined && row.app_id === last.appId && row.received_at.startsWith(last.hour)) return last.prefix;
  const hour = row.received_at.slice(0, 13);
  const key = `${row.app_id}|${hour}`;
  let hit = hourCache.get(key);
  if (hit === undefined) {
    hit = prefix(eventContext(row));
    if (hourCache.size >= 10_000) hourCache.clear();
    hourCache.set(key, hit);
  }
  last = { appId: row.app_id, hour, prefix: hit };
  return hit;
}

/** `YYYY-MM-DDTHH…Z`: a UTC timestamp (what the ingest writes), whose first 13 characters are its hour. */
const UTC_HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
const hourCache = new Map<string, string>();
/** The last pair eventPrefix saw (`hour`: the first 13 characters of a UTC timestamp). */
let last: { appId: string; hour: string; prefix: string } | undefined;

/** `bad_rows/error_type=<type>/event_date=YYYY-MM-DD/`. */
export function badRowPrefix(row: Parameters<typeof badRowContext>[0], prefix: Prefix = defaultErrorPrefix): string {
  return prefix(badRowContext(row));
}

/**
 * Names each accepted event's folder as it is classified (`check`), refusing an event whose
 * partition values cannot fill the event prefix (a page event under `!{partitionKeyFromQuery:event}`,
 * an event name with a space): it becomes a `partition` bad row, as Firehose sends such records to
 * its error prefix, instead of failing its whole flush. `prefixOf` then gives the folder it named,
 * so the prefix is worked out once per event.
 */
export function eventPartitions(prefix?: Prefix): { check: RowCheck; prefixOf: (row: LakeRow) => string } {
  const named = new Map<LakeRow, string>();
  return {
    check(row) {
      try {
        named.set(row, eventPrefix(row, prefix));
        return undefined;
      } catch (error) {
        if (!(error instanceof PartitionValueError)) throw error;
        return { errorType: 'partition', reason: `event prefix: ${error.message}` };
      }
    },
    prefixOf: (row) => named.get(row) ?? eventPrefix(row, prefix),
  };
}
