import type { EventDraft } from './notices';
import type { Platform } from './types';

const KEY = 'eventline.pending';

/**
 * Events tracked before the device state finished loading live only in memory. When the page is
 * hidden or left in that window, they are kept in the synchronous store (localStorage) and the next
 * client to start — this page's, or the next page's — queues them. Returns false if they could not be kept.
 */
export function stashDrafts(store: Platform['syncStore'], drafts: EventDraft[]): boolean {
  if (!store || drafts.length === 0) return false;
  try {
    store.set(KEY, JSON.stringify([...readDrafts(store), ...drafts]));
    return true;
  } catch {
    return false; // handled: storage full or blocked; the drafts stay in memory for this page
  }
}

/** Take (read and clear) the stashed drafts. */
export function takeDrafts(store: Platform['syncStore']): EventDraft[] {
  if (!store) return [];
  const drafts = readDrafts(store);
  if (drafts.length > 0) store.set(KEY, '[]');
  return drafts;
}

function readDrafts(store: NonNullable<Platform['syncStore']>): EventDraft[] {
  try {
    const parsed = JSON.parse(store.get(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as EventDraft[]).filter((d) => typeof d?.event_id === 'string') : [];
  } catch {
    return []; // handled: an unreadable stash is treated as empty
  }
}
