import type { EventProperties, SCHEMA_VERSION } from '@eventline/schemas';
import type { EventDraft } from './notices';
import type { EventContext } from './types';

/** Envelope version this SDK writes; `typeof SCHEMA_VERSION` ties it to the schemas at compile time. */
const ENVELOPE_VERSION: typeof SCHEMA_VERSION = 1;
const NAME_MAX = 255;

export interface DraftInput {
  eventId: string;
  sessionId: string;
  name: unknown;
  properties: unknown;
  now: Date;
  context: EventContext;
}

/** Build a track event, or return why it cannot be sent. Properties are snapshotted as JSON. */
export function draftTrack(input: DraftInput): { ok: true; draft: EventDraft } | { ok: false; message: string } {
  const { name } = input;
  if (typeof name !== 'string' || name === '' || name.length > NAME_MAX) {
    return { ok: false, message: `event name must be a string of 1 to ${NAME_MAX} characters` };
  }
  const properties = snapshot(input.properties);
  if (!properties.ok) return properties;
  const draft: EventDraft = {
    schema_version: ENVELOPE_VERSION,
    event_id: input.eventId,
    type: 'track',
    event: name,
    session_id: input.sessionId,
    client_ts: input.now.toISOString(),
    context: input.context,
  };
  if (properties.value !== undefined) draft.properties = properties.value;
  return { ok: true, draft };
}

/**
 * A JSON copy taken at track time: later mutations by the caller do not change the event, and
 * values JSON cannot carry (cycles, BigInt) are refused here instead of breaking a whole flush.
 */
function snapshot(value: unknown): { ok: true; value?: EventProperties } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'properties must be a plain object' };
  }
  try {
    return { ok: true, value: JSON.parse(JSON.stringify(value)) as EventProperties };
  } catch (error) {
    return { ok: false, message: `properties are not JSON-serialisable: ${String(error)}` };
  }
}
