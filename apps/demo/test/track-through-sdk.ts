import { createEventline } from '@eventline/sdk/node';
import { DEMO_WRITE_KEY } from '../src';

/** Tracks `names` through the Node SDK to the demo's ingest in one batch; the ids the ingest accepted. */
export async function trackThroughSdk(ingestUrl: string, names: string[]): Promise<string[]> {
  const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
  const accepted: string[] = [];
  sdk.on('sent', (n) => accepted.push(...n.acceptedIds));
  for (const name of names) sdk.track(name);
  await sdk.flush();
  await sdk.close();
  return accepted;
}
