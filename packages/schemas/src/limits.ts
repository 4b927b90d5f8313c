/**
 * The envelope's constants, with no validator attached: `@eventline/schemas/limits` serves code that
 * needs only these numbers and names (a client sizing its batches) without loading TypeBox.
 * Keep this file free of imports.
 */

export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Version of the envelope this package describes, the one clients write and readers upcast to.
 * 2 types `context.first_touch` (README, "Versions and upcasting").
 */
export const SCHEMA_VERSION = 2 as const;

export const LIMITS = {
  /** Longest event name, in characters. */
  eventNameMax: 255,
  /** Longest id (user, device, session, group), in characters. */
  idMax: 256,
  /** Most events one batch may carry. */
  batchMaxEvents: 500,
  /**
   * Deepest nesting of objects and arrays in one event, the event object itself being level 1
   * (`properties` is level 2). Deeper events are refused one by one (`tooDeepIssue`), not their batch.
   */
  eventMaxDepth: 32,
} as const;
