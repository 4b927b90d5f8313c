import { TypeCompiler, type TypeCheck, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { registerFormats } from './formats';
import { pointerToPath, type Issue, type IssueCode } from './issue';
import { Batch, type EventType } from './v1/event';
import { ClientEvent, StoredEvent } from './v2/event';

registerFormats();

const compiled = {
  event: TypeCompiler.Compile(ClientEvent),
  stored: TypeCompiler.Compile(StoredEvent),
  batch: TypeCompiler.Compile(Batch),
};

export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/**
 * Fields that a given event type cannot do without, beyond the envelope's own. Every type needs a user
 * id or an anonymous id (Segment's rule); `anonymous_id` is required on every event already, so an
 * identify needs no `user_id`: one with only the device's id sets traits before sign-up, as Segment's
 * spec allows (analytics.js sends `userId: null`). An alias still links two ids, so it needs both.
 */
export const REQUIRED_BY_TYPE: Readonly<Record<EventType, readonly string[]>> = {
  track: ['event'],
  identify: [],
  page: [],
  screen: [],
  alias: ['user_id', 'previous_id'],
  group: ['group_id'],
};

/** Validate one client event. `prefix` names where it sits, e.g. `events[3]`. */
export function validateEvent(value: unknown, prefix = ''): Result<ClientEvent> {
  return checkEvent(compiled.event, value, prefix);
}

/** Validate an event as stored (client fields plus `received_at` and `app_id`). */
export function validateStoredEvent(value: unknown, prefix = ''): Result<StoredEvent> {
  return checkEvent(compiled.stored, value, prefix);
}

/** The schema, then (for a value that passed it) the per-type required fields. */
function checkEvent<T extends TSchema, V>(check: TypeCheck<T>, value: unknown, prefix: string): Result<V> {
  const schemaIssues = collect(check, value, prefix);
  const issues = schemaIssues.length > 0 ? schemaIssues : typeRules(value as ClientEvent, prefix);
  return issues.length === 0 ? { ok: true, value: value as V } : { ok: false, issues };
}

/**
 * What collect and typeRules return when nothing is wrong: one shared empty list, so a valid event
 * (the hot path: every event of every request) allocates none. Frozen, and never returned in a result.
 */
const NO_ISSUES: readonly Issue[] = Object.freeze([]);

/**
 * Validate the batch wrapper only. Events are checked one by one with validateEvent so
 * that one bad event rejects itself, not its neighbours.
 */
export function validateBatchShape(value: unknown): Result<{ sent_at: string; events: unknown[] }> {
  const issues = collect(compiled.batch, value, '');
  return issues.length === 0
    ? { ok: true, value: value as { sent_at: string; events: unknown[] } }
    : { ok: false, issues };
}

function typeRules(event: ClientEvent, prefix: string): Issue[] {
  let issues: Issue[] | undefined;
  for (const field of REQUIRED_BY_TYPE[event.type]) {
    const v = (event as unknown as Record<string, unknown>)[field];
    if (v === undefined || v === null) {
      (issues ??= []).push({ path: join(prefix, field), code: 'required', message: `required for type "${event.type}"` });
    }
  }
  return issues ?? (NO_ISSUES as Issue[]);
}

function collect<T extends TSchema>(check: TypeCheck<T>, value: unknown, prefix: string): Issue[] {
  if (check.Check(value)) return NO_ISSUES as Issue[];
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const error of check.Errors(value)) {
    const issue = toIssue(error, prefix, value);
    // A failed union reports once per branch; the first message per path is the useful one.
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    issues.push(issue);
    if (issues.length >= 20) break;
  }
  return issues;
}

function toIssue(error: ValueError, prefix: string, value: unknown): Issue {
  const path = pointerToPath(error.path, prefix, value);
  const [code, message] = describe(ofItsOwnType(error));
  return { path, code, message };
}

/**
 * A union's value that has one branch's JSON type failed that branch's own rule: that rule is the
 * issue. A 300-character `user_id` (string or null) said "expected string or null", naming neither
 * the limit nor why a string was refused; it now says "expected at most 256 characters".
 */
function ofItsOwnType(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error;
  const branches = ((error.schema as { anyOf?: TSchema[] }).anyOf ?? []).map((b) => (b as { type?: unknown }).type);
  const kind = error.value === null ? 'null' : Array.isArray(error.value) ? 'array' : typeof error.value;
  const matching = branches.flatMap((type, i) => (type === kind || (kind === 'number' && type === 'integer') ? [i] : []));
  const inner = matching.length === 1 ? error.errors[matching[0] as number]?.First() : undefined;
  return inner === undefined ? error : ofItsOwnType(inner);
}

/** `1 character`, `256 characters`: a schema's bound with its noun. */
function count(n: unknown, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function describe(error: ValueError): [IssueCode, string] {
  const s = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return ['required', 'required'];
    case ValueErrorType.ObjectAdditionalProperties:
      return ['unexpected_property', 'unexpected property'];
    case ValueErrorType.StringFormat:
      return ['invalid_format', `expected format ${String(s.format)}`];
    case ValueErrorType.StringPattern:
      return ['invalid_format', `expected to match ${String(s.pattern)}`];
    case ValueErrorType.StringMaxLength:
      return ['too_long', `expected at most ${count(s.maxLength, 'character')}`];
    case ValueErrorType.StringMinLength:
      return ['too_short', `expected at least ${count(s.minLength, 'character')}`];
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return ['too_big', `expected at most ${String(s.maximum)}`];
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return ['too_small', `expected at least ${String(s.minimum)}`];
    case ValueErrorType.ArrayMaxItems:
      return ['too_many_items', `expected at most ${count(s.maxItems, 'item')}`];
    case ValueErrorType.ArrayMinItems:
      return ['too_few_items', `expected at least ${count(s.minItems, 'item')}`];
    case ValueErrorType.Literal:
      return ['invalid_value', `expected ${JSON.stringify(s.const)}`];
    case ValueErrorType.Union: {
      const consts = Array.isArray(s.anyOf) ? (s.anyOf as Record<string, unknown>[]).map((b) => b.const) : [];
      if (consts.length > 0 && consts.every((c) => c !== undefined)) {
        return ['invalid_value', `expected one of ${consts.map((c) => JSON.stringify(c)).join(', ')}`];
      }
      return ['invalid_type', `expected ${unionNames(s)}`];
    }
    default:
      return ['invalid_type', lowerFirst(error.message)];
  }
}

function unionNames(s: Record<string, unknown>): string {
  const branches = (s.anyOf as Record<string, unknown>[] | undefined) ?? [];
  return branches.map((b) => (typeof b.type === 'string' ? b.type : 'value')).join(' or ');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function join(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}
