import type { FirehoseTransformationRecord } from './aws-events';

/**
 * What identifies a record from a Kinesis source in the seen index's claims (with its shardId): the
 * sequence number, and `:<subsequenceNumber>` when Firehose gives one. Firehose de-aggregates a KPL
 * record before the Lambda, and its sub-records share the sequence number: by that alone, a resend in
 * another sub-record of the same aggregate, in a later invocation, was taken for a retry of the first and
 * answered `Ok`. A record without one (AWS's sample carries "") keeps the plain sequence number.
 * Sub-record 0 is `seq:0` too, so a plain claim is never one this code made for a sub-record: claims from
 * releases that identified every sub-record by the plain sequence number are matched to their own
 * retries by sameRecord (src/dedupe/same-record.ts), and only they are.
 */
export function recordIdentity(meta: NonNullable<FirehoseTransformationRecord['kinesisRecordMetadata']>): string {
  const sub = meta.subsequenceNumber;
  return sub === undefined || sub === '' ? meta.sequenceNumber : `${meta.sequenceNumber}:${String(sub)}`;
}
