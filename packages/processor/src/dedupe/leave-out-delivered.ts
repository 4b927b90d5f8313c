import type { PreparedRecord } from '../delivery/deliver';
import type { SeenCandidate, SeenIndex } from './seen-index';

/**
 * One flush's records less the events an earlier flush already delivered (same event_id, another
 * record). The first record of each event_id in the flush is the one that claims it.
 */
export async function leaveOutDelivered(
  index: SeenIndex,
  shardId: string,
  records: readonly PreparedRecord[],
): Promise<{ records: readonly PreparedRecord[]; leftOut: string[] }> {
  const delivered = await index.claim(shardId, claimCandidates(records));
  if (delivered.size === 0) return { records, leftOut: [] };
  const kept: PreparedRecord[] = [];
  const leftOut: string[] = [];
  for (const r of records) {
    if (r.row !== undefined && delivered.has(r.row.event_id)) leftOut.push(r.row.event_id);
    else kept.push(r);
  }
  return { records: kept, leftOut };
}

/** What a flush claims: the first record of each event_id among its accepted rows. */
export function claimCandidates(records: readonly PreparedRecord[]): SeenCandidate[] {
  const candidates: SeenCandidate[] = [];
  const first = new Set<string>();
  for (const r of records) {
    if (r.row === undefined || first.has(r.row.event_id)) continue;
    first.add(r.row.event_id);
    candidates.push({ eventId: r.row.event_id, sequenceNumber: r.sequenceNumber });
  }
  return candidates;
}
