import type { EventDraft } from './notices';
import { readJson } from './sync-json';
import type { Platform } from './types';
import { toJson } from './wire-json';

const KEY = 'eventline.pending';
/** Most characters the stash may hold (localStorage quotas are ~5 M characters per origin). */
const MAX_CHARS = 1_048_576; // 1 << 20, written out: a bundler keeps a top-level `<<` (it cannot know it is pure)

/**
 * What only memory holds when the page is hidden or left — calls made before the device state
 * loaded (drafts, no `seq`) and queued events whose Storage write has not committed (stamped) — is
 * kept in the synchronous store (localStorage); the next client to start, or this page when visible
 * again, takes it. `gone`: ids whose copies leave the stash (stored since, or sent; re-stashed ones).
 * Returns true if written, false if it could not be (too big, quota, blocked), undefined if nothing changed.
 */
export function stashDrafts(store: Platform['syncStore'], drafts: EventDraft[], gone = drafts.map((d) => d.event_id)): boolean | undefined {
  if (!store) return;
  const ids = new Set(gone);
  const old = readDrafts(store);
  const rest = old.filter((d) => !ids.has(d.event_id));
  if (drafts.length === 0 && rest.length === old.length) return;
  try {
    const json = toJson(rest.concat(drafts));
    if (json.length > MAX_CHARS) return false;
    store.set(KEY, json);
    return true;
  } catch {
    return false; // handled: storage full or blocked; the caller reports it, the events stay in memory
  }
}

/** Take (read and clear) the stash. */
export function takeDrafts(store: Platform['syncStore']): EventDraft[] {
  if (!store) return [];
  const drafts = readDrafts(store);
  if (drafts.length > 0) store.set(KEY, '[]');
  return drafts;
}

/** The stash's drafts; an unreadable stash counts as empty. */
function readDrafts(store: Platform['syncStore']): EventDraft[] {
  const parsed = readJson(store, KEY);
  return Array.isArray(parsed) ? (parsed as EventDraft[]).filter((d) => typeof d?.event_id === 'string') : [];
}
