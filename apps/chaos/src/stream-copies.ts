import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, readStream } from '@eventline/devstack';
import { keyIn, type Source, type Tracked } from './ledger';
import type { Reconciliation } from './reconcile';

/** What the events stream holds per tracked event: every copy the ingest (or a raw producer) wrote. */
export interface StreamCopies {
  /** Tracked events with at least one record in the stream. */
  events: number;
  /** Records beyond the first per tracked event: SDK resends and writer retries the lake's dedupe dropped. */
  extra: number;
  extraBySource: Record<Source, number>;
}

/**
 * Counts the copies of each tracked event in the events stream. Not a pass/fail figure: delivery to
 * Kinesis is at-least-once (an answer lost to a SIGKILL, an unload request whose page is gone), and
 * this shows how much the processor's seen index had to remove for the lake to stay exact.
 */
export async function countStreamCopies(endpoint: string, stream: string, tracked: ReadonlyMap<string, Tracked>): Promise<StreamCopies> {
  const client = new KinesisClient(emulatorKinesisClientConfig(endpoint));
  try {
    const perKey = new Map<string, number>();
    for (const record of await readStream(client, stream)) {
      const key = keyIn(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'));
      if (key !== undefined && tracked.has(key)) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const result: StreamCopies = { events: perKey.size, extra: 0, extraBySource: { node: 0, browser: 0, raw: 0 } };
    for (const [key, copies] of perKey) {
      const source = tracked.get(key)?.source;
      if (source === undefined || copies < 2) continue;
      result.extra += copies - 1;
      result.extraBySource[source] += copies - 1;
    }
    return result;
  } finally {
    client.destroy();
  }
}

/**
 * What makes the run fail about the stream: it must hold each valid event found in the lake and each
 * raw garbage record, and no other tracked event (an invalid one goes to the bad-rows stream). Every
 * lake row came through this stream, so a count that differs means the stream and the lake disagree.
 */
export function streamProblems(copies: StreamCopies, r: Reconciliation): string[] {
  const expected = r.delivered + r.sentBySource.raw;
  if (copies.events === expected) return [];
  return [`the events stream holds ${copies.events} tracked events, not ${expected} (${r.delivered} delivered valid events + ${r.sentBySource.raw} raw garbage records)`];
}
