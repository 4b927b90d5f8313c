import { SCHEMA_VERSION } from '../limits';
import { pointerToPath, type Issue } from '../issue';
import { v1ToV2 } from './v1-to-v2';

/**
 * Turns an event of version `from` into version `from + 1`. Upcasters are pure, never drop
 * information silently (a field that has no new home moves under `properties` or `context`),
 * and are chained: a v1 event meets a v3 reader as v1 → v2 → v3.
 */
export interface Upcaster {
  from: number;
  up(event: Record<string, unknown>): Record<string, unknown>;
}

/** The upcasters of this package's own history, oldest first: one per released version after the first. */
export const UPCASTERS: readonly Upcaster[] = [v1ToV2];

export interface VersionPolicy {
  /** The version readers expect; older events are upcast to it, newer ones rejected. */
  current: number;
  upcasters: readonly Upcaster[];
}

export const CURRENT_VERSIONS: VersionPolicy = { current: SCHEMA_VERSION, upcasters: UPCASTERS };

export type UpcastResult = { ok: true; value: Record<string, unknown>; from: number } | { ok: false; issues: Issue[] };

/**
 * Bring a parsed event to `policy.current`. The version is `schema_version`, or 1 when absent
 * (clients may omit it in v1). An event newer than the reader, or one with no upcaster path,
 * is an issue on `schema_version`: the caller turns it into a bad row, never a guess. `prefix` names
 * where the event sits (`events[3]`), as for validateEvent.
 */
export function upcast(value: unknown, policy: VersionPolicy = CURRENT_VERSIONS, prefix = ''): UpcastResult {
  // Built only for an issue: the current version's path (nearly every event) makes none.
  const at = (): string => pointerToPath('/schema_version', prefix);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ path: prefix, code: 'invalid_type', message: 'expected object' }] };
  }
  // Only an absent version means 1: `null` is a wrong type, as v1 itself said (an optional literal).
  const stated = (value as Record<string, unknown>).schema_version;
  const raw = stated === undefined ? 1 : stated;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    return { ok: false, issues: [{ path: at(), code: 'invalid_type', message: 'expected a non-negative integer' }] };
  }
  if (raw > policy.current) {
    return { ok: false, issues: [{ path: at(), code: 'too_big', message: `version ${raw} is newer than this reader (${policy.current})` }] };
  }
  let event = value as Record<string, unknown>;
  for (let version = raw; version < policy.current; version += 1) {
    const step = policy.upcasters.find((u) => u.from === version);
    if (!step) {
      return { ok: false, issues: [{ path: at(), code: 'invalid_value', message: `no upcaster from version ${version}` }] };
    }
    event = { ...step.up(event), schema_version: version + 1 };
  }
  return { ok: true, value: event, from: raw };
}
