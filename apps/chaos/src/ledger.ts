export type Source = 'node' | 'browser' | 'raw';

/** Where an event must end: in the lake, or as a bad row of this `error_type`. */
export type Expected = { lake: true } | { lake: false; errorType: string };

export interface Tracked {
  key: string;
  source: Source;
  /** When the harness handed the event over (before the track() call or the PutRecords). */
  trackedAt: number;
  expected: Expected;
}

export interface Ledger {
  readonly events: ReadonlyMap<string, Tracked>;
  /** A new unique key, recorded as tracked now. */
  track(source: Source, expected: Expected): string;
}

/**
 * Every event the harness made, keyed by the `chaos_key` it puts in the event's properties. The key is
 * chosen and recorded *before* the event is handed to the SDK, so an event the SDK loses still counts:
 * the set of events tracked is what must be accounted for, not what any component reports as sent.
 */
export function createLedger(): Ledger {
  const events = new Map<string, Tracked>();
  let next = 0;
  return {
    events,
    track(source, expected) {
      const key = `${source[0]}${String(next++).padStart(6, '0')}`;
      events.set(key, { key, source, trackedAt: Date.now(), expected });
      return key;
    },
  };
}

/** Finds the key in any text that carries it: a lake row's properties or a bad row's payload. */
export const KEY_PATTERN = /chaos_key\\?"?\s*[:=]\s*\\?"?([nbr]\d{6})/;

export function keyIn(text: string | null | undefined): string | undefined {
  return text ? KEY_PATTERN.exec(text)?.[1] : undefined;
}
