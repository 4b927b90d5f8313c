/**
 * Whether a claim's owner (its sequence number as the seen index stores it) is the candidate's record,
 * given both are on one shard. Equal, or one is the plain sequence number and the other a de-aggregated
 * Firehose sub-record of it (`seq:N`, see recordIdentity): releases before subsequence numbers counted
 * claimed every sub-record with the plain sequence number, and a Firehose retry of such an invocation,
 * arriving after the upgrade, must find its own claim (answered Dropped, the event would never reach the
 * lake). The cost is bounded: a plain claim is a legacy one (or a record that was not aggregated, which
 * no sub-record shares a sequence number with), so at worst a resend in another sub-record of a legacy
 * claim's aggregate is kept — a duplicate, never a loss — until those claims expire. Kinesis sequence
 * numbers are digits only, so this never relaxes anything for the ESM handler or the local consumer.
 */
export function sameRecord(ownerSeq: string, candidateSeq: string): boolean {
  if (ownerSeq === candidateSeq) return true;
  return plainOf(ownerSeq) === candidateSeq || ownerSeq === plainOf(candidateSeq);
}

/** The sequence number without a sub-record suffix (`700:3` → `700`); a plain one unchanged. */
export function plainOf(seq: string): string {
  const colon = seq.indexOf(':');
  return colon === -1 ? seq : seq.slice(0, colon);
}
