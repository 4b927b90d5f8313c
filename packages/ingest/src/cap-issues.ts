import type { Issue } from '@eventline/schemas';
import { utf8Prefix } from './utf8-prefix';

/** Each issue's path and message are cut at this many bytes of UTF-8. */
export const ISSUE_TEXT_MAX_BYTES = 1024;
/** At most this many issues per event are kept… */
export const ISSUES_MAX_COUNT = 100;
/** …and at most this many bytes of them as JSON (escapes included). */
export const ISSUES_MAX_JSON_BYTES = 64 * 1024;

/**
 * A rejected event's issues as answered and stored in its bad row, bounded: paths and messages quote the
 * event's property names, and an event may hold a 300 KB key (or thousands of unexpected ones), which
 * pushed the bad row past Kinesis' 1 MiB record limit: the event was answered `retry` forever.
 * Bounded so, a bad row stays under ~200 KiB (with its 64 KiB payload, doubled at most by escaping).
 */
export function capIssues(issues: Issue[]): { issues: Issue[]; cut: boolean } {
  const kept: Issue[] = [];
  let bytes = 2; // []
  let cut = false;
  for (const issue of issues) {
    if (kept.length === ISSUES_MAX_COUNT) return { issues: kept, cut: true };
    const path = utf8Prefix(issue.path, ISSUE_TEXT_MAX_BYTES);
    const message = utf8Prefix(issue.message, ISSUE_TEXT_MAX_BYTES);
    const capped = path.cut || message.cut ? { ...issue, path: path.text, message: message.text } : issue;
    const size = Buffer.byteLength(JSON.stringify(capped), 'utf8') + 1; // and a comma
    if (bytes + size > ISSUES_MAX_JSON_BYTES) return { issues: kept, cut: true };
    bytes += size;
    cut ||= path.cut || message.cut;
    kept.push(capped);
  }
  return { issues: kept, cut };
}
