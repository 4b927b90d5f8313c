import { ClassicLevel } from 'classic-level';
import { folderEntries } from '../folder-entries';
import type { Logger } from '../log';
import { isLocked, openLevel } from './level-open';
import { DEFAULT_SEEN_WINDOW_MS, type SeenCandidate, type SeenIndex } from './seen-index';
import { sameRecord } from './same-record';

export interface SeenIndexOptions {
  /** LevelDB folder; one process at a time (LevelDB locks it). */
  dir: string;
  /** Forget a claim this long after it was made. Default 7 days: the SDK resends nothing older. */
  windowMs?: number;
  /** Forget the oldest claims beyond this many. Default 10 million (~0.8–1.3 GB on disk, measured: see the README). */
  maxIds?: number;
  now?: () => number;
  /** Where a repair of a damaged folder is reported (warn). */
  log?: Logger;
}

export const SEEN_INDEX_DEFAULTS = { windowMs: DEFAULT_SEEN_WINDOW_MS, maxIds: 10_000_000 };

// Keys: `e!<key>` → `<shard> <seq>`, <key> being `<app_id>/<event_id>` (SeenCandidate.key);
// `t!<claimed at, 15 digits>!<key>` orders claims by age for eviction; `m!count` is the number of
// `e!` keys, kept in the same atomic batches. Folders written before may hold
// `<shard> <seq> <claimed at>` values (the third field is ignored) and, from releases that keyed on
// event_id alone, `e!<event_id>` keys: no claim looks them up any more, and eviction (by their `t!`
// key, which names them) forgets them like any other.
const COUNT_KEY = 'm!count';
const EVICT_BATCH = 10_000;

export async function openSeenIndex(options: SeenIndexOptions): Promise<SeenIndex> {
  const windowMs = options.windowMs ?? SEEN_INDEX_DEFAULTS.windowMs;
  const maxIds = options.maxIds ?? SEEN_INDEX_DEFAULTS.maxIds;
  const now = options.now ?? Date.now;
  const db = await openOrRepair(options.dir, options.log);
  let count = Number((await db.get(COUNT_KEY)) ?? '0');
  // Claims are decided one flush at a time: two shards must not both claim one id.
  let queue: Promise<unknown> = Promise.resolve();

  async function claimNow(shardId: string, events: readonly SeenCandidate[]): Promise<Set<string>> {
    const duplicates = new Set<string>();
    if (events.length === 0) return duplicates;
    const owners = await db.getMany(events.map((e) => `e!${e.key}`));
    const at = now();
    const batch = db.batch();
    let added = 0;
    events.forEach((event, i) => {
      const owner = owners[i];
      if (owner === undefined) {
        batch.put(`e!${event.key}`, `${shardId} ${event.sequenceNumber}`);
        batch.put(`t!${pad(at)}!${event.key}`, '');
        added += 1;
      } else if (!ownedBy(owner, shardId, event.sequenceNumber)) {
        duplicates.add(event.key);
      }
    });
    if (added > 0) {
      batch.put(COUNT_KEY, String(count + added));
      // sync: the claims must survive a crash before any file of this flush exists.
      await batch.write({ sync: true });
      count += added;
    } else {
      await batch.close();
    }
    await evict(at);
    return duplicates;
  }

  // The claims to forget, oldest first: every expired one (up to EVICT_BATCH), then as many more as
  // the count is over maxIds (up to EVICT_BATCH). Expired keys sort first, so one walk finds both and
  // stops at the last key it needs (at the cap that is the surplus, not a whole batch).
  async function evictable(at: number): Promise<string[]> {
    const expiredBefore = `t!${pad(at - windowMs)}`;
    const keys: string[] = [];
    let wanted = Infinity; // known once the expired run ends
    for await (const key of db.keys({ gte: 't!', lt: 't"' })) {
      if (wanted === Infinity && (key >= expiredBefore || keys.length === EVICT_BATCH)) {
        wanted = keys.length + Math.max(0, Math.min(EVICT_BATCH, count - keys.length - maxIds));
      }
      if (keys.length >= wanted) break;
      keys.push(key);
    }
    return keys;
  }

  async function evict(at: number): Promise<void> {
    const oldest = await evictable(at);
    if (oldest.length === 0) return;
    const batch = db.batch();
    for (const key of oldest) {
      batch.del(key);
      batch.del(`e!${key.slice(key.indexOf('!', 2) + 1)}`);
    }
    batch.put(COUNT_KEY, String(count - oldest.length));
    await batch.write();
    count -= oldest.length;
  }

  return {
    claim(shardId, events) {
      const result = queue.then(() => claimNow(shardId, events));
      queue = result.catch(() => undefined);
      return result;
    },
    size: () => count,
    async close() {
      await queue;
      await db.close();
    },
  };
}

/**
 * Open the folder; one LevelDB finds damaged (a crash cut a write on a file system without atomic
 * rename: `Corruption: CURRENT file does not end with newline`, a torn MANIFEST) is repaired with
 * LevelDB's own RepairDB and opened again, logged. A repair keeps every claim whose data it can read;
 * a claim it cannot is forgotten, so at worst a resend of that event lands again (a duplicate, never a
 * loss), where refusing to start stopped the whole pipeline until someone removed the folder.
 */
async function openOrRepair(dir: string, log: Logger | undefined): Promise<ClassicLevel<string, string>> {
  const open = (createIfMissing = true): Promise<ClassicLevel<string, string>> => openLevel(dir, { createIfMissing });
  const repairThenOpen = async (reason: string): Promise<ClassicLevel<string, string>> => {
    log?.('warn', 'seen index damaged (a crash cut a write); repairing it with LevelDB\'s RepairDB (a claim it cannot read is forgotten: a resend of that event would land again)', { dir, reason });
    try {
      await ClassicLevel.repair(dir);
      return await open();
    } catch (repairError) {
      throw new Error(
        `the seen index ${dir} (DEDUPE_DIR) is damaged (${reason}) and LevelDB could not repair it (${levelReason(repairError)}); ` +
          'move the folder away to start with an empty one (every claim forgotten: resends of events already delivered land again)',
        { cause: repairError },
      );
    }
  };
  // An absent folder has no entries, and LevelDB creates it.
  const names = await folderEntries(dir);
  if (!names.includes('CURRENT')) {
    // Not a seen index: RepairDB would move its files to lost/, an open would add LevelDB's next to them.
    const foreign = names.filter((name) => !isLevelDbName(name) && !isMountPointEntry(name));
    if (foreign.length > 0) {
      throw new Error(
        `DEDUPE_DIR ${dir} holds files that are not a LevelDB seen index's (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}) and no LevelDB CURRENT file: ` +
          'neither opened nor repaired. Give the seen index a folder of its own (absent, empty, or a fresh mount point)',
      );
    }
    // Without CURRENT, LevelDB's open (createIfMissing) makes a new empty database in the folder and
    // deletes the old tables and logs as obsolete: every claim silently gone. Repair reads them first —
    // but RepairDB takes no LOCK, and a live LevelDB that has written MANIFEST-000001 and not yet
    // CURRENT looks the same: an open that may not create takes the LOCK first, so a live one refuses.
    if (names.some(isLevelDbData)) {
      try {
        return await open(false);
      } catch (error) {
        if (isLocked(error)) throw inUse(dir, error);
        if (!/does not exist \(create_if_missing is false\)/.test(levelReason(error))) throw new Error(`cannot open the seen index ${dir} (DEDUPE_DIR): ${levelReason(error)}`, { cause: error });
        return await repairThenOpen('CURRENT missing (its tables and logs are there)');
      }
    }
  }
  try {
    return await open();
  } catch (error) {
    // LevelDB says only "IO error: lock …/LOCK: Resource temporarily unavailable".
    if (isLocked(error)) throw inUse(dir, error);
    const reason = levelReason(error);
    if (!reason.startsWith('Corruption')) throw new Error(`cannot open the seen index ${dir} (DEDUPE_DIR): ${reason}`, { cause: error });
    return await repairThenOpen(reason);
  }
}

function inUse(dir: string, cause: unknown): Error {
  return new Error(`seen index ${dir} is in use by another process: two consumers cannot share one DEDUPE_DIR (give each stream its own)`, { cause });
}

/** LevelDB's data files: a MANIFEST, tables, logs (six-digit numbers at least: `000005.log`, not `2025.log`). */
function isLevelDbData(name: string): boolean {
  return /^MANIFEST-\d{6,}$/.test(name) || /^\d{6,}\.(ldb|sst|log)$/.test(name);
}

/** Every name LevelDB (and its RepairDB, which archives into `lost/`) makes in its folder. */
function isLevelDbName(name: string): boolean {
  return isLevelDbData(name) || /^\d{6,}\.dbtmp$/.test(name) || ['CURRENT', 'LOCK', 'LOG', 'LOG.old', 'lost'].includes(name);
}

/**
 * What a folder holds without anyone putting it there: `lost+found` at the root of an ext4 volume (a
 * Kubernetes PersistentVolume, a mounted disk) and dot-files (`.DS_Store`, `.snapshot`). LevelDB and
 * its RepairDB never read or move them (their names are none of LevelDB's).
 */
function isMountPointEntry(name: string): boolean {
  return name === 'lost+found' || name.startsWith('.');
}

/** classic-level wraps LevelDB's own text ("Corruption: …", "IO error: …") in "Database failed to open". */
function levelReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}

function ownedBy(owner: string, shardId: string, sequenceNumber: string): boolean {
  const [shard, seq] = owner.split(' ');
  return shard === shardId && seq !== undefined && sameRecord(seq, sequenceNumber);
}

function pad(ms: number): string {
  return String(Math.max(0, ms)).padStart(15, '0');
}
