import type { FirehoseTransformationRecord } from './aws-events';

/**
 * What identifies a record from a Kinesis source in the seen index's claims (with its shardId): the
 * sequence number, and the subsequence number past the first sub-record. Firehose de-aggregates a KPL
 * record before the Lambda, and its sub-records share the sequence number: by that alone, a resend in
 * another sub-record of the same aggregate, in a later invocation, was taken for a retry of the first and
 * answered `Ok`. Sub-record 0 (or none: AWS's sample carries "") keeps the plain sequence number, so the
 * claims made before subsequence numbers counted still belong to the same records.
 */
export function recordIdentity(meta: NonNullable<FirehoseTransformationRecord['kinesisRecordMetadata']>): string {
  const sub = meta.subsequenceNumber;
  return sub === undefined || sub === '' || Number(sub) === 0 ? meta.sequenceNumber : `${meta.sequenceNumber}:${String(sub)}`;
}
