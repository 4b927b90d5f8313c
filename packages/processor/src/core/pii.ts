import { StoredEvent } from '@eventline/schemas';
import { createHmac } from 'node:crypto';
import { COLUMN_PATHS, NON_TEXT_PATHS } from './lake-row';

/**
 * What to do with personal data before it is stored, from configuration. Paths are dotted
 * (`user_id`, `traits.email`, `context.user_agent`, `properties.phone`). Hashing is HMAC-SHA256
 * with a secret salt, so equal values still join across events but cannot be looked up in a
 * rainbow table; dropping removes the field.
 */
export interface PiiPolicy {
  hash: readonly string[];
  drop: readonly string[];
  /** Required when `hash` is not empty. Rotate it and hashed ids stop joining with older ones. */
  salt?: string;
}

export const NO_PII_POLICY: PiiPolicy = { hash: [], drop: [] };

export class PiiPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiPolicyError';
  }
}

const PATH = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/;
const PROTECTED = new Set(['event_id', 'type', 'anonymous_id', 'received_at', 'app_id', 'schema_version', 'seq', 'client_ts']);

/** The fields a path may start with: the policy applies to the stored event, not to the lake row. */
const EVENT_FIELDS: ReadonlySet<string> = new Set(Object.keys(StoredEvent.properties));

/** Check a policy once, at start: bad paths or a missing salt are configuration errors. */
export function checkPiiPolicy(policy: PiiPolicy): PiiPolicy {
  for (const path of [...policy.hash, ...policy.drop]) {
    if (!PATH.test(path)) throw new PiiPolicyError(`PII path "${path}" is not a dotted field path`);
    if (PROTECTED.has(path)) throw new PiiPolicyError(`PII path "${path}" is a key field the pipeline needs`);
    const first = path.split('.')[0] ?? '';
    // It would match nothing, and the data it was meant to protect would be stored raw.
    if (!EVENT_FIELDS.has(first)) throw new PiiPolicyError(`PII path "${path}" names no event field, so it would never match: ${spelling(path)}`);
  }
  for (const path of policy.hash) {
    if (NON_TEXT_PATHS.has(path)) throw new PiiPolicyError(`PII path "${path}" cannot be hashed: its column is not text (drop it instead)`);
  }
  if (policy.hash.length > 0 && !policy.salt) throw new PiiPolicyError('a PII salt is required to hash fields');
  return policy;
}

function spelling(path: string): string {
  const column = COLUMN_PATHS.get(path);
  if (column !== undefined) return `the column ${path} comes from "${column}"`;
  return `a path starts with a StoredEvent field (user_id, traits, properties, context, …): did you mean "properties.${path}", "traits.${path}" or "context.${path}"?`;
}

/**
 * Where the ingest keeps the full value of an id it stored shortened (a Segment id over 256 characters
 * is stored fitted, the whole id under its Segment name): a policy on the field covers that copy too,
 * or the id it was meant to hide would be stored raw beside its hash.
 */
const FULL_VALUE_PATHS: ReadonlyMap<string, string> = new Map([
  ['user_id', 'context.segment_extra.userId'],
  ['previous_id', 'context.segment_extra.previousId'],
  ['group_id', 'context.segment_extra.groupId'],
]);

function withFullValues(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    const full = FULL_VALUE_PATHS.get(path);
    return full === undefined ? [path] : [path, full];
  });
}

/** A copy of `event` with the policy applied (objects on the paths are copied, not mutated). */
export function applyPii<T extends object>(event: T, policy: PiiPolicy): T {
  if (policy.hash.length === 0 && policy.drop.length === 0) return event;
  let out = event as Record<string, unknown>;
  for (const path of withFullValues(policy.drop)) out = update(out, path.split('.'), () => undefined);
  for (const path of withFullValues(policy.hash)) out = update(out, path.split('.'), (v) => hashValue(v, policy.salt ?? ''));
  return out as T;
}

/**
 * Own keys only: `key in obj` also finds Object.prototype's members, so a path such as
 * `properties.constructor` "found" an inherited function on every event without that key, and
 * hashing it threw (every flush of the shard failed, re-reading the same records). Values are
 * defined, not assigned: assigning a key `"__proto__"` sets the copy's prototype instead.
 */
function update(obj: Record<string, unknown>, keys: string[], change: (value: unknown) => unknown): Record<string, unknown> {
  const [key, ...rest] = keys;
  if (key === undefined || !Object.hasOwn(obj, key)) return obj;
  const copy = { ...obj };
  const current = copy[key];
  if (rest.length === 0) {
    const next = change(current);
    if (next === undefined) delete copy[key];
    else setOwn(copy, key, next);
  } else if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
    setOwn(copy, key, update(current as Record<string, unknown>, rest, change));
  }
  return copy;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function hashValue(value: unknown, salt: string): unknown {
  if (value === null || value === undefined) return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return createHmac('sha256', salt).update(text).digest('hex');
}
