import type { EventType, SCHEMA_VERSION } from '@eventline/schemas';
import type { EventDraft } from './notices';
import type { EventContext } from './types';

/** Envelope version this SDK writes; `typeof SCHEMA_VERSION` ties it to the schemas at compile time. */
const ENVELOPE_VERSION: typeof SCHEMA_VERSION = 1;
const NAME_MAX = 255;
const ID_MAX = 256;

export interface CallInput {
  type: EventType;
  name?: unknown;
  properties?: unknown;
  traits?: unknown;
  userId?: unknown;
  previousId?: unknown;
  groupId?: unknown;
}

export interface DraftInput extends CallInput {
  eventId: string;
  now: Date;
  context: EventContext;
}

type Checked<T> = { ok: true; value?: T } | { ok: false; message: string };

/** Build an event of any type, or return why it cannot be sent. Properties and traits are snapshotted as JSON. */
export function draftEvent(input: DraftInput): { ok: true; draft: EventDraft } | { ok: false; message: string } {
  const { type } = input;
  const name = check(input.name, type === 'track', NAME_MAX, 'event name');
  const userId = check(input.userId, type === 'identify' || type === 'alias', ID_MAX, 'user id');
  const previousId = check(input.previousId, false, ID_MAX, 'previous id'); // alias: filled in at commit
  const groupId = check(input.groupId, type === 'group', ID_MAX, 'group id');
  const properties = snapshot(input.properties, 'properties');
  const traits = snapshot(input.traits, 'traits');
  for (const c of [name, userId, previousId, groupId, properties, traits]) if (!c.ok) return c;
  const draft: EventDraft = {
    schema_version: ENVELOPE_VERSION,
    event_id: input.eventId,
    type,
    client_ts: input.now.toISOString(),
    context: input.context,
  };
  if (name.ok && name.value !== undefined) draft.event = name.value;
  if (userId.ok && userId.value !== undefined) draft.user_id = userId.value;
  if (previousId.ok && previousId.value !== undefined) draft.previous_id = previousId.value;
  if (groupId.ok && groupId.value !== undefined) draft.group_id = groupId.value;
  if (properties.ok && properties.value !== undefined) draft.properties = properties.value;
  if (traits.ok && traits.value !== undefined) draft.traits = traits.value;
  return { ok: true, draft };
}

function check(value: unknown, required: boolean, max: number, what: string): Checked<string> {
  if (value === undefined || value === null) return required ? { ok: false, message: `${what} required` } : { ok: true };
  if (typeof value !== 'string' || value === '' || value.length > max) {
    return { ok: false, message: `${what}: 1-${max} chars` };
  }
  return { ok: true, value };
}

/**
 * A JSON copy taken at call time: later mutations by the caller do not change the event, and
 * values JSON cannot carry (cycles, BigInt) are refused here instead of breaking a whole flush.
 */
function snapshot(value: unknown, what: string): Checked<Record<string, unknown>> {
  if (value === undefined || value === null) return { ok: true };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: `${what}: not an object` };
  try {
    return { ok: true, value: JSON.parse(JSON.stringify(value)) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: `${what}: ${String(error)}` };
  }
}
