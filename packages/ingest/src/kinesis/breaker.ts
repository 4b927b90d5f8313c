export interface BreakerOptions {
  /** Consecutive failed calls (network error, 5xx, timeout) that open the circuit. */
  failures: number;
  /** How long the circuit stays open before one probe is let through. */
  cooldownMs: number;
  /**
   * A probe that has not reported back after this long is given up, and the next write becomes the
   * probe (its write may have ended without a call, e.g. refused for size). The writer passes its budget.
   */
  probeTimeoutMs?: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker over PutRecords calls. Open: writes are refused at once (503 + Retry-After)
 * instead of queueing behind a dead stream. After the cooldown it is half-open: exactly one write
 * is admitted as the probe (`admit()`), every other write is refused at once until the probe's call
 * reports: success closes the circuit, failure opens it for another cooldown.
 */
export function createBreaker(options: BreakerOptions) {
  const now = options.now ?? Date.now;
  const probeTimeoutMs = options.probeTimeoutMs ?? options.cooldownMs;
  let consecutive = 0;
  let openedAt: number | undefined;
  let probeSince: number | undefined;
  let lastReason: string | undefined;

  function state(): BreakerState {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= options.cooldownMs ? 'half-open' : 'open';
  }

  function probeInFlight(): boolean {
    return probeSince !== undefined && now() - probeSince < probeTimeoutMs;
  }

  return {
    state,
    reason: () => lastReason,
    /**
     * May a write go now? Closed: yes. Open: no. Half-open: only the first asker while no probe is
     * in flight; that write is the probe.
     */
    admit(): boolean {
      const s = state();
      if (s !== 'half-open') return s === 'closed';
      if (probeInFlight()) return false;
      probeSince = now();
      return true;
    },
    /** Milliseconds the client should wait: the rest of the cooldown, or about a probe's time while one is out. */
    retryAfterMs(): number {
      if (openedAt === undefined) return 0;
      const rest = options.cooldownMs - (now() - openedAt);
      return rest > 0 ? rest : probeInFlight() ? Math.min(probeTimeoutMs, 1000) : 0;
    },
    success(): void {
      consecutive = 0;
      openedAt = undefined;
      probeSince = undefined;
    },
    /** Returns true when this failure opened (or re-opened) the circuit. */
    failure(reason: string): boolean {
      lastReason = reason;
      consecutive += 1;
      if (state() === 'half-open' || (openedAt === undefined && consecutive >= options.failures)) {
        openedAt = now();
        probeSince = undefined;
        return true;
      }
      return false;
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
