/**
 * Our context slots whose Segment name differs (Segment's `context.userAgent` is our
 * `context.user_agent`); every other slot has the same name in both. The ingest keeps a Segment
 * value that does not fit its slot under `context.segment_extra.context.<Segment name>`, and the
 * processor's PII policy on the slot covers that copy too: both read the names from here.
 */
export const SEGMENT_CONTEXT_NAMES: Readonly<Record<string, string>> = { user_agent: 'userAgent' };

/** The Segment name of one of our context slots. */
export function segmentContextName(slot: string): string {
  return Object.hasOwn(SEGMENT_CONTEXT_NAMES, slot) ? SEGMENT_CONTEXT_NAMES[slot]! : slot;
}
