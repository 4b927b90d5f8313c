import { upcast, type UpcastResult } from '@eventline/schemas';

/**
 * A client event brought to the current envelope version (`upcast` of @eventline/schemas): clients
 * may still send version 1 (or no `schema_version`, which is 1), and what the ingest writes is always
 * the current version. An event already current is returned as it is (no copy: the SDK's events,
 * the hot path); an older one as a new object (its input is left as sent, for its bad row). A version
 * newer than this ingest, or not an integer, is an issue on `events[i].schema_version`, rejected like
 * any other validation issue.
 */
export function toCurrentVersion(raw: unknown, prefix: string): UpcastResult {
  const result = upcast(raw);
  if (result.ok) return result;
  return { ok: false, issues: result.issues.map((issue) => ({ ...issue, path: issue.path === '' ? prefix : `${prefix}.${issue.path}` })) };
}
