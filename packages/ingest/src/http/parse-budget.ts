/**
 * A bound, per app (one per process), on the bytes of request bodies being decoded and parsed at once: a gzip
 * body's inflated size (as its trailer declares it, checked while inflating), a plain body's own. A body that
 * does not fit is answered 503 + Retry-After (the client resends; nothing is dropped). One body is always let
 * in when none is held, so a budget under INGEST_MAX_DECOMPRESSED_BYTES never refuses a body for good.
 * A body whose decoded size stays within `freeBytes` (INGEST_MAX_BODY_BYTES) is not held: such bodies are
 * bounded already by the body cap × the connection cap, and big inflations must not starve small batches.
 */
export interface ParseBudget {
  /** Holds `bytes` of the budget, or says false when they do not fit. */
  tryHold(bytes: number): boolean;
  release(bytes: number): void;
  /** Decoded bytes a body may take without holding any of the budget. */
  readonly freeBytes: number;
}

export function createParseBudget(maxBytes: number, freeBytes: number): ParseBudget {
  let held = 0;
  return {
    freeBytes,
    tryHold(bytes) {
      if (held > 0 && held + bytes > maxBytes) return false;
      held += bytes;
      return true;
    },
    release(bytes) {
      held = Math.max(0, held - bytes);
    },
  };
}
