/** What the SDKs reported while the run went on: drops by reason, and how many errors they retried. */
export interface NoticeTally {
  drops: Record<string, number>;
  /** Keys of events dropped for a reason other than `rejected` (the ingest refusing an invalid event). */
  unexpectedDrops: string[];
  errors: number;
  /** Which client sent each request the ingest answered 2xx (`node`, or `page <load id>` in Chromium): explains duplicates. */
  senders: Map<string, string>;
  sent(requestId: string | undefined, sender: string): void;
  drop(reason: string, keys: (string | undefined)[]): void;
  error(): void;
}

export function createNoticeTally(): NoticeTally {
  const tally: NoticeTally = {
    drops: {},
    unexpectedDrops: [],
    errors: 0,
    senders: new Map(),
    sent(requestId, sender) {
      if (requestId) tally.senders.set(requestId, sender);
    },
    drop(reason, keys) {
      tally.drops[reason] = (tally.drops[reason] ?? 0) + keys.length;
      if (reason !== 'rejected') tally.unexpectedDrops.push(...keys.map((k) => k ?? '(no key)'));
    },
    error() {
      tally.errors += 1;
    },
  };
  return tally;
}
