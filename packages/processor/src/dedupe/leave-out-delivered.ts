import { dedupeKey } from '../core/dedupe-key';
import type { PreparedRecord } from '../delivery/deliver';
import type { SeenCandidate, SeenIndex } from './seen-index';

/**
 * One flush's records less the events an earlier flush already delivered (same app_id and
 * event_id, another record). The first record of each such key in the flush is the one that claims
 * it. `leftOut` lists the keys (`<app_id>/<event_id>`) of the records left out.
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
    if (r.row !== undefined && delivered.has(dedupeKey(r.row))) leftOut.push(dedupeKey(r.row));
    else kept.push(r);
  }
  return { records: kept, leftOut };
}

/** What a flush claims: the first record of each (app_id, event_id) among its accepted rows. */
export function claimCandidates(records: readonly PreparedRecord[]): SeenCandidate[] {
  const candidates: SeenCandidate[] = [];
  const first = new Set<string>();
  for (const r of records) {
    if (r.row === undefined) continue;
    const key = dedupeKey(r.row);
    if (first.has(key)) continue;
    first.add(key);
    candidates.push({ key, sequenceNumber: r.sequenceNumber });
  }
  return candidates;
}
