import { quantile } from '@eventline/devstack';
import type { LakeContents } from './lake-read';
import { keyIn, type Source, type Tracked } from './ledger';

export interface Duplicate {
  key: string;
  eventIds: string[];
  /** The ingest request each copy came in with: different ones mean the client sent it again. */
  requestIds: (string | null)[];
}

export interface Reconciliation {
  sent: number;
  sentBySource: Record<Source, number>;
  /** Valid events found in the lake (each counted once). */
  delivered: number;
  /** Invalid events found as a bad row of the expected type (each counted once). */
  badAccounted: number;
  /** Lake rows beyond the first for one tracked event. */
  duplicates: number;
  /** Lake rows beyond the first for one `event_id` (a subset of the above unless ids collide). */
  duplicateEventIds: number;
  duplicateSamples: Duplicate[];
  /** Tracked events found nowhere. */
  missing: string[];
  /** Valid events only in bad rows, invalid ones in the lake or under another error type. */
  misplaced: string[];
  /** Lake rows that no tracked event explains (no key, or a key never tracked). */
  unexpected: number;
  /** Bad rows by `error_type` and first reason line (event index stripped). */
  badByReason: Record<string, number>;
  /** Bad rows beyond the first for one tracked event (an invalid event sent again); reported, not a failure. */
  badRowRepeats: number;
  /** Track → first write of the lake file holding the event, over delivered events. */
  delayMs: { p50: number; p99: number; max: number };
  /** The longest track → lake delay per source. */
  maxDelayBySource: Record<Source, number>;
}

/** Pure: the ledger against what the lake holds. `fileTimes` = when each lake file first appeared. */
export function reconcile(tracked: ReadonlyMap<string, Tracked>, lake: LakeContents, fileTimes: ReadonlyMap<string, number>): Reconciliation {
  const lakeByKey = new Map<string, LakeContents['events']>();
  const perEventId = new Map<string, number>();
  let unexpected = 0;
  for (const row of lake.events) {
    perEventId.set(row.eventId, (perEventId.get(row.eventId) ?? 0) + 1);
    const key = keyIn(row.properties);
    if (!key || !tracked.has(key)) {
      unexpected += 1;
      continue;
    }
    const rows = lakeByKey.get(key) ?? [];
    rows.push(row);
    lakeByKey.set(key, rows);
  }
  const badByKey = new Map<string, string[]>();
  const badByReason: Record<string, number> = {};
  for (const row of lake.badRows) {
    const reason = `${row.errorType} ${reasonPath(row.reason)}`;
    badByReason[reason] = (badByReason[reason] ?? 0) + 1;
    const key = keyIn(row.payload);
    if (key) badByKey.set(key, [...(badByKey.get(key) ?? []), row.errorType]);
  }

  const result: Reconciliation = {
    sent: tracked.size,
    sentBySource: { node: 0, browser: 0, raw: 0 },
    delivered: 0,
    badAccounted: 0,
    duplicates: 0,
    duplicateEventIds: [...perEventId.values()].reduce((sum, n) => sum + n - 1, 0),
    duplicateSamples: [],
    missing: [],
    misplaced: [],
    unexpected,
    badByReason,
    badRowRepeats: 0,
    delayMs: { p50: 0, p99: 0, max: 0 },
    maxDelayBySource: { node: 0, browser: 0, raw: 0 },
  };
  const delays: number[] = [];
  for (const event of tracked.values()) {
    result.sentBySource[event.source] += 1;
    const rows = lakeByKey.get(event.key) ?? [];
    const bad = badByKey.get(event.key) ?? [];
    if (rows.length > 1) {
      result.duplicates += rows.length - 1;
      result.duplicateSamples.push({ key: event.key, eventIds: rows.map((r) => r.eventId), requestIds: rows.map((r) => r.requestId) });
    }
    if (bad.length > 1) result.badRowRepeats += bad.length - 1;
    if (rows.length === 0 && bad.length === 0) result.missing.push(event.key);
    else if (event.expected.lake && rows.length > 0 && bad.length === 0) {
      result.delivered += 1;
      const firstFile = Math.min(...rows.map((r) => fileTimes.get(r.file) ?? Number.POSITIVE_INFINITY));
      if (Number.isFinite(firstFile)) {
        const delay = Math.round(Math.max(0, firstFile - event.trackedAt));
        delays.push(delay);
        result.maxDelayBySource[event.source] = Math.max(result.maxDelayBySource[event.source], delay);
      }
    } else if (!event.expected.lake && rows.length === 0 && bad.every((t) => t === (event.expected as { errorType: string }).errorType)) result.badAccounted += 1;
    else result.misplaced.push(event.key);
  }
  const at = (q: number): number => (delays.length === 0 ? 0 : quantile(delays, q));
  result.delayMs = { p50: at(0.5), p99: at(0.99), max: at(1) };
  return result;
}

/** The field path of a bad row's first issue (`properties.af_revenue`), without the event's index in its batch. */
function reasonPath(reason: string): string {
  const first = (reason.split('\n')[0] ?? '').replace(/^events\[\d+\]\.?/, '');
  return first.startsWith(':') || first === '' ? '(whole event)' : (first.split(':')[0] ?? first);
}

/** What makes the run fail: anything lost, doubled, misplaced or unexplained. */
export function problems(r: Reconciliation): string[] {
  const out: string[] = [];
  if (r.missing.length > 0) out.push(`${r.missing.length} events missing (e.g. ${r.missing.slice(0, 5).join(', ')})`);
  if (r.duplicates > 0) out.push(`${r.duplicates} duplicate rows in the lake`);
  if (r.duplicateEventIds > 0) out.push(`${r.duplicateEventIds} rows repeat an event_id`);
  if (r.misplaced.length > 0) out.push(`${r.misplaced.length} events in the wrong place (e.g. ${r.misplaced.slice(0, 5).join(', ')})`);
  if (r.unexpected > 0) out.push(`${r.unexpected} lake rows no tracked event explains`);
  return out;
}
