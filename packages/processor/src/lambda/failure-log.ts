/** How many failed records (or shards) a batch's log line names with their reason; the count covers all. */
export const LOGGED_REASONS = 5;

/** A reason cut for a log line: a validation reason can list many issues, a payload echo can be long. */
export function shortReason(reason: string, max = 300): string {
  return reason.length > max ? `${reason.slice(0, max)}…` : reason;
}
