import type { LakeRow } from '../core/lake-row';
import { eventContext } from '../delivery/partition';

/** The keys a transformed record gives Firehose's dynamic partitioning (`!{partitionKeyFromLambda:…}`). */
export interface FirehosePartitionKeys {
  app_id: string;
  event_date: string;
  hour: string;
}

export function partitionKeysOf(row: LakeRow): FirehosePartitionKeys {
  const at = eventContext(row).timestamp.toISOString();
  return { app_id: row.app_id, event_date: at.slice(0, 10), hour: at.slice(11, 13) };
}

const LISTED_PARTITIONS = 3;

/**
 * Why a record whose events fall in different partitions cannot be answered `Ok`, or undefined when they
 * share one. A record carries one `metadata.partitionKeys`: a KPL aggregate of events of two apps (or
 * hours) answered with the first event's keys put the others in the wrong partition.
 */
export function mixedPartitionsReason(rows: readonly LakeRow[]): string | undefined {
  const partitions = [...new Set(rows.map((row) => Object.entries(partitionKeysOf(row)).map(([k, v]) => `${k}=${v}`).join('/')))];
  if (partitions.length <= 1) return undefined;
  const listed = partitions.slice(0, LISTED_PARTITIONS).join(', ') + (partitions.length > LISTED_PARTITIONS ? ', …' : '');
  return (
    `mixed_partitions: the record's ${rows.length} events fall in ${partitions.length} partitions (${listed}) and a Firehose record carries one set of partitionKeys; ` +
    'send events of different apps or hours in separate records (or KPL aggregates through a Kinesis stream, which Firehose de-aggregates)'
  );
}
