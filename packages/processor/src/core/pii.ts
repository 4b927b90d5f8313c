import { Context, LEGACY_FIRST_TOUCH, SERVER_CONTEXT_KEYS, segmentContextName, StoredEvent } from '@eventline/schemas';
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
    const unreachable = walkPath(path);
    if (unreachable?.closed) throw new PiiPolicyError(`PII path "${path}" would never match: ${unreachable.why}`);
  }
  // One listed inside another (`traits` and `traits.email`): the outer one's hash would depend on the
  // order the two are applied in, so the same event would hash differently after a reordering.
  const listed = [...policy.hash, ...policy.drop];
  const outer = listed.find((path) => listed.some((other) => other.startsWith(`${path}.`)));
  if (outer !== undefined) {
    const inner = listed.find((other) => other.startsWith(`${outer}.`))!;
    throw new PiiPolicyError(`PII path "${inner}" lies inside "${outer}", which is listed too: keep only one of them`);
  }
  for (const path of policy.hash) {
    if (NON_TEXT_PATHS.has(path)) throw new PiiPolicyError(`PII path "${path}" cannot be hashed: its column is not text (drop it instead)`);
  }
  if (policy.hash.length > 0 && !policy.salt) throw new PiiPolicyError('a PII salt is required to hash fields');
  // A Segment message with only a userId has it as its anonymous_id too (a key field, kept): dropping
  // user_id then hashes that copy, which needs the salt.
  if (policy.drop.includes('user_id') && !policy.salt) {
    throw new PiiPolicyError(
      'PII path "user_id" cannot be dropped without a PII salt: where anonymous_id holds the same id (a Segment message with only a userId), that key field is kept and its value hashed instead; set PII_SALT',
    );
  }
  return policy;
}

/**
 * Paths of a policy that differ from a known field only in case, `_` or `-` (`context.userAgent`,
 * `properties.AF_REVENUE`) under an open object: accepted (such a key can be stored there), but
 * likely meant as the known field, so said at start.
 */
export function piiNearMisses(policy: PiiPolicy): { path: string; why: string }[] {
  return [...policy.hash, ...policy.drop].flatMap((path) => {
    const found = PATH.test(path) ? walkPath(path) : undefined;
    return found !== undefined && !found.closed ? [{ path, why: found.why }] : [];
  });
}

/** `context.server`: always the ingest's own block (its README), so it holds these keys and no other. */
const SERVER_FIELDS: readonly string[] = SERVER_CONTEXT_KEYS;

interface FieldSchema {
  type?: string;
  properties?: Record<string, FieldSchema>;
  additionalProperties?: unknown;
  anyOf?: FieldSchema[];
}

const loose = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

/**
 * Why a path below its first field can hold nothing (`closed`), or looks like a misspelt known field
 * (not `closed`: it can be stored, so it is only worth a warning); undefined: it can hold a value.
 * Walks StoredEvent's schema: under a closed object (`context.page`, `context.campaign`, …) only its
 * fields exist; under a string or number nothing does; under an open object (`properties`, `traits`,
 * `context`) any key may, including one that differs from a known field only in case, `_` or `-`
 * (`context.userAgent`: a native event may store that key in context's open part).
 */
function walkPath(path: string): { closed: boolean; why: string } | undefined {
  const keys = path.split('.');
  // `server` is not in the client schema's context (the ingest adds it): a case variant is a near miss too.
  if (keys[0] === 'context' && keys[1] !== undefined && keys[1] !== 'server' && loose(keys[1]) === 'server') {
    // Suggested only when the corrected path is one start-up takes (`context.server.<field>`, or the block).
    const meant = ['context', 'server', ...keys.slice(2)].join('.');
    return walkPath(meant)?.closed ? undefined : { closed: false, why: `did you mean "${meant}"?` };
  }
  if (keys[0] === 'context' && keys[1] === 'server' && keys.length > 2) {
    if (!SERVER_FIELDS.includes(keys[2] ?? '')) return { closed: true, why: `"context.server" holds ${SERVER_FIELDS.join(', ')} only` };
    return keys.length > 3 ? { closed: true, why: `"context.server.${keys[2]}" is not an object: list "context.server.${keys[2]}" itself` } : undefined;
  }
  let schema = StoredEvent as unknown as FieldSchema;
  for (const [i, key] of keys.entries()) {
    const at = keys.slice(0, i).join('.');
    const fields = schema.properties ?? {};
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (field === undefined) {
      const closed = schema.additionalProperties === false;
      const near = Object.keys(fields).find((name) => loose(name) === loose(key));
      if (near !== undefined) return { closed, why: `did you mean "${[...keys.slice(0, i), near].join('.')}"?` };
      if (closed) return { closed, why: `"${at}" holds ${Object.keys(fields).join(', ')} only` };
      return undefined;
    }
    const here = keys.slice(0, i + 1).join('.');
    if (i < keys.length - 1 && !holdsObject(field)) return { closed: true, why: `"${here}" is not an object: list "${here}" itself` };
    schema = field;
  }
  return undefined;
}

function holdsObject(schema: FieldSchema): boolean {
  return schema.type === 'object' || (schema.anyOf ?? []).some(holdsObject);
}

function spelling(path: string): string {
  const column = COLUMN_PATHS.get(path);
  if (column !== undefined) return `the column ${path} comes from "${column}"`;
  return `a path starts with a StoredEvent field (user_id, traits, properties, context, …): did you mean "properties.${path}", "traits.${path}" or "context.${path}"?`;
}

/**
 * Where the ingest keeps another copy of a value, which a policy on the field covers too, or what it
 * was meant to hide would be stored raw beside it: the full value of an id it stored shortened (a
 * Segment id over 256 characters is stored fitted, the whole id under its Segment name); the client's
 * user agent `context.user_agent`, whose copy is the request's User-Agent header,
 * `context.server.user_agent` (the same string from a browser; one direction only: listing the
 * header alone leaves the client's own value); the IP, which the ingest stores as `context.server.ip`
 * while `context.ip` is only in records of an ingest that did not yet drop a client's (both ways).
 */
const OTHER_COPIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['user_id', ['context.segment_extra.userId']],
  ['previous_id', ['context.segment_extra.previousId']],
  ['group_id', ['context.segment_extra.groupId']],
  // analytics.js sends the query string apart, as page.search (kept in segment_extra.context.page).
  ['context.page.url', ['context.segment_extra.context.page.search']],
  ['context.user_agent', ['context.server.user_agent']],
  ['context.ip', ['context.server.ip']],
  ['context.server.ip', ['context.ip']],
]);

/** Our typed context slots: a Segment value that does not fit one is kept raw in segment_extra.context. */
const CONTEXT_SLOTS: ReadonlySet<string> = new Set(Object.keys(Context.properties));

/** Where the v1→v2 upcaster moves a v1 `context.first_touch` that is not a campaign (any JSON value). */
const LEGACY_PATH = `context.${LEGACY_FIRST_TOUCH}`;

/**
 * The copies of one path: the fixed ones above; for a typed context slot (or a field of it), the
 * misfit Segment value the ingest kept under `context.segment_extra.context.<Segment name>`
 * (packages/ingest/src/routes/segment-context.ts: a 5,000-character page URL, an over-long user
 * agent); for `traits.*`, the copy Segment's mobile libraries send in `context.traits`; for
 * `context.first_touch[.X]`, `context.legacy_first_touch[.X]` (a v1 first_touch with a key more
 * than a campaign, an over-long value, or text: @eventline/schemas' v1-to-v2.ts keeps it there).
 */
function copiesOf(path: string): string[] {
  const keys = path.split('.');
  const copies = [...(OTHER_COPIES.get(path) ?? [])];
  if (keys[0] === 'context' && keys.length > 1 && CONTEXT_SLOTS.has(keys[1]!)) {
    copies.push(['context', 'segment_extra', 'context', segmentContextName(keys[1]!), ...keys.slice(2)].join('.'));
  }
  if (keys[0] === 'context' && keys[1] === 'first_touch') copies.push([LEGACY_PATH, ...keys.slice(2)].join('.'));
  if (keys[0] === 'traits') copies.push(['context', ...keys].join('.'));
  return copies;
}

type Action = 'hash' | 'drop';

/**
 * What to do at each path, copies included. A listed path does what it is listed for; a copy not
 * listed itself follows the path it copies (drop when two listed paths share it and one drops): a
 * hashed `context.user_agent` is kept, hashed, when its copy `context.server.user_agent` is dropped.
 */
function actions(policy: PiiPolicy): Map<string, Action> {
  const listed = listedActions(policy);
  const all = new Map(listed);
  for (const [path, action] of listed) {
    for (const copy of copiesOf(path)) {
      if (listed.has(copy) || all.get(copy) === 'drop') continue;
      all.set(copy, action);
    }
  }
  return all;
}

function listedActions(policy: PiiPolicy): Map<string, Action> {
  return new Map<string, Action>([...policy.hash.map((p) => [p, 'hash'] as const), ...policy.drop.map((p) => [p, 'drop'] as const)]);
}

/**
 * What to do with the whole `context.legacy_first_touch` when it is not an object (text such as a
 * landing URL, a list, a number) and the policy names a field of first_touch: that field cannot be
 * reached by its path, yet may be inside the value (`…?gclid=…&email=…`), so the whole value goes
 * (drop when any such path drops). Undefined when no such path is listed, or the copy is listed itself.
 */
function wholeLegacyAction(policy: PiiPolicy): Action | undefined {
  const listed = listedActions(policy);
  if ([...listed.keys()].some((path) => path === LEGACY_PATH || path.startsWith(`${LEGACY_PATH}.`))) return undefined;
  const fieldActions = [...listed].filter(([path]) => path.startsWith('context.first_touch.')).map(([, action]) => action);
  if (fieldActions.length === 0) return undefined;
  return fieldActions.includes('drop') ? 'drop' : 'hash';
}

/** A path (split into keys) the plan changes; `unlessObject`: only where the value there is not an object. */
interface Step {
  keys: string[];
  unlessObject: boolean;
}

interface Plan {
  /** Steps to drop, then to hash, copies included. */
  drops: Step[];
  hashes: Step[];
  coversUserId: boolean;
}

/** A policy's plan, worked out once: it is applied to every event, and a policy never changes. */
const plans = new WeakMap<PiiPolicy, Plan>();

function planOf(policy: PiiPolicy): Plan {
  let plan = plans.get(policy);
  if (plan === undefined) {
    const all = [...actions(policy)];
    const legacy = wholeLegacyAction(policy);
    const stepsOf = (action: Action): Step[] => [
      ...all.filter(([, a]) => a === action).map(([path]) => ({ keys: path.split('.'), unlessObject: false })),
      ...(legacy === action ? [{ keys: LEGACY_PATH.split('.'), unlessObject: true }] : []),
    ];
    plan = { drops: stepsOf('drop'), hashes: stepsOf('hash'), coversUserId: all.some(([path]) => path === 'user_id') };
    plans.set(policy, plan);
  }
  return plan;
}

const ANONYMOUS_ID: Step = { keys: ['anonymous_id'], unlessObject: false };

/** A copy of `event` with the policy applied (objects on the paths are copied, not mutated). */
export function applyPii<T extends object>(event: T, policy: PiiPolicy): T {
  if (policy.hash.length === 0 && policy.drop.length === 0) return event;
  const plan = planOf(policy);
  // A Segment message with only a userId has it as anonymous_id too: a key field, so it is hashed
  // (the same HMAC as user_id, so rows still join) whether user_id is hashed or dropped.
  const raw = event as Record<string, unknown>;
  const hashAnonymousId = plan.coversUserId && typeof raw.user_id === 'string' && raw.anonymous_id === raw.user_id;
  let out = raw;
  const salt = policy.salt ?? '';
  for (const step of plan.drops) out = update(out, step.keys, (v) => (step.unlessObject && isObject(v) ? v : undefined));
  for (const step of hashAnonymousId ? [...plan.hashes, ANONYMOUS_ID] : plan.hashes) {
    out = update(out, step.keys, (v) => (step.unlessObject && isObject(v) ? v : hashValue(v, salt)));
  }
  return out as T;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
