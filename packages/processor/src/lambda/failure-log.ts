/** How many failed records (or shards) a batch's log line names with their reason; the count covers all. */
export const LOGGED_REASONS = 5;

/** A reason cut for a log line: a validation reason can list many issues, a payload echo can be long. */
export function shortReason(reason: string, max = 300): string {
  return reason.length > max ? `${reason.slice(0, max)}…` : reason;
}

/**
 * An error's message with what it wraps: a delivery's own message ("2 of 2 files failed to write")
 * does not say why, its first inner error or its cause does. Bounded at three levels.
 */
export function errorReason(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  if (depth >= 2) return error.message;
  const inner = error instanceof AggregateError ? (error.errors as unknown[])[0] : error.cause;
  return inner === undefined ? error.message : `${error.message} (${errorReason(inner, depth + 1)})`;
}
