/**
 * What identifies an event for dedupe: its app and its event_id. The event_id comes from the client,
 * so two apps (or a buggy client) can share one; keyed on event_id alone, one app's event would be
 * left out as a duplicate of another app's. app_id matches ^[A-Za-z0-9_-]+$ (schemas), so it cannot
 * hold the '/' that separates the two: the key is unambiguous.
 */
export function dedupeKey(row: { readonly app_id: string; readonly event_id: string }): string {
  return `${row.app_id}/${row.event_id}`;
}

/** True the first time `row`'s key is met in `seen` (then remembered), false for a duplicate. */
export function firstSeen(seen: Set<string>, row: { readonly app_id: string; readonly event_id: string }): boolean {
  const key = dedupeKey(row);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
