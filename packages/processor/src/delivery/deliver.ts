import { classifyRecords, type InputRecord } from '../core/process';
import { encodeNdjsonGzip } from './ndjson';
import { objectName } from './naming';
import { badRowPrefix, eventPrefix } from './partition';
import type { Sink } from './sink';

export interface DeliveryResult {
  rowsDelivered: number;
  badRows: number;
  duplicates: number;
  filesWritten: number;
  objectKeys: string[];
}

interface FileGroup {
  values: unknown[];
  firstSeq: string;
  lastSeq: string;
}

/**
 * Process one shard's records (in shard order) and write one file per partition folder:
 * events by app/date/hour, bad rows by error type/date. Resolves once every file is durable.
 */
export async function deliverRecords(
  shardId: string,
  records: readonly InputRecord[],
  sink: Sink,
  now: () => Date = () => new Date(),
): Promise<DeliveryResult> {
  const { accepted, badRows, duplicates } = classifyRecords(records, now);
  const groups = new Map<string, FileGroup>();
  for (const row of accepted) addTo(groups, eventPrefix(row.event), row.event, row.sequenceNumber);
  for (const bad of badRows) addTo(groups, badRowPrefix(bad), bad, bad.sequence_number);

  const objectKeys = [...groups].map(([prefix, group]) => prefix + objectName(shardId, group.firstSeq, group.lastSeq));
  const files = [...groups.values()];
  // Settle every write before reporting: a retry must not race a write still in flight.
  const outcomes = await Promise.allSettled(objectKeys.map((key, i) => sink.write(key, encodeNdjsonGzip(files[i]?.values ?? []))));
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, `${failed.length} of ${objectKeys.length} files failed to write`);
  return { rowsDelivered: accepted.length, badRows: badRows.length, duplicates, filesWritten: objectKeys.length, objectKeys };
}

/** Records arrive in shard order, so the first and last added are the file's range. */
function addTo(groups: Map<string, FileGroup>, prefix: string, value: unknown, seq: string): void {
  const group = groups.get(prefix);
  if (group) {
    group.values.push(value);
    group.lastSeq = seq;
  } else {
    groups.set(prefix, { values: [value], firstSeq: seq, lastSeq: seq });
  }
}
