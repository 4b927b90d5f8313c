import { PostgresTableBusyError } from './postgres-schema';

/** One start-up attempt found the table held by another transaction; the next starts after `delayMs`. */
export interface LockRetry {
  table: string;
  /** The attempt that timed out, from 1. */
  attempt: number;
  delayMs: number;
}

/**
 * Run `attempt` (the start-up transaction) again while it fails on the table lock, with jittered
 * pauses between tries: each failed try rolls back and releases its place in the lock queue, so the
 * statements queued behind it run before the next try. Gives up once `budgetMs` is spent, with an
 * error naming the table, its missing columns and the ALTER an operator can run instead — but never
 * after the first try: on a loaded machine the first try alone can use the budget (connecting, then
 * the lock wait), and a lock held for a moment deserves a second look before the start fails.
 */
export async function retryTableLock<T>(
  attempt: () => Promise<T>,
  budgetMs: number,
  lockTimeoutMs: number,
  onRetry?: (retry: LockRetry) => void,
): Promise<T> {
  const started = Date.now();
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PostgresTableBusyError)) throw error;
      // Between half and one and a half lock timeouts: processors starting together spread out.
      const delayMs = Math.round(lockTimeoutMs * (0.5 + Math.random()));
      const spent = Date.now() - started;
      if (tries >= 2 && spent + delayMs + lockTimeoutMs > budgetMs) {
        throw new PostgresTableBusyError(
          `${error.table} lacks the catalog columns ${error.missing.join(', ')}; adding them needs a short exclusive lock, ` +
            `but another transaction held the table (a long query, pg_dump, an older processor's flush) on all ${tries} attempts over ${spent} ms. ` +
            `End that transaction and restart, or run: ${error.sql}`,
          error.table,
          error.missing,
          error.sql,
        );
      }
      onRetry?.({ table: error.table, attempt: tries, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
