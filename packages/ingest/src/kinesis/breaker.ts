export interface BreakerOptions {
  /** Consecutive failed calls (network error, 5xx, timeout) that open the circuit. */
  failures: number;
  /** How long the circuit stays open before one probe is let through. */
  cooldownMs: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker over PutRecords calls. Open: writes are refused at once (503 + Retry-After)
 * instead of queueing behind a dead stream. After the cooldown, calls go through again; the first
 * result closes it (success) or opens it for another cooldown (failure).
 */
export function createBreaker(options: BreakerOptions) {
  const now = options.now ?? Date.now;
  let consecutive = 0;
  let openedAt: number | undefined;
  let halfOpen = false;
  let lastReason: string | undefined;

  function state(): BreakerState {
    if (openedAt === undefined) return 'closed';
    if (now() - openedAt >= options.cooldownMs) {
      halfOpen = true;
      return 'half-open';
    }
    return 'open';
  }
  return {
    state,
    reason: () => lastReason,
    /** Milliseconds until a probe will be let through (0 when not open). */
    retryAfterMs: () => (openedAt === undefined ? 0 : Math.max(0, options.cooldownMs - (now() - openedAt))),
    success(): void {
      consecutive = 0;
      openedAt = undefined;
      halfOpen = false;
    },
    /** Returns true when this failure opened (or re-opened) the circuit. */
    failure(reason: string): boolean {
      lastReason = reason;
      consecutive += 1;
      if (halfOpen || (openedAt === undefined && consecutive >= options.failures)) {
        openedAt = now();
        halfOpen = false;
        return true;
      }
      return false;
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
