import { createEventline } from '@eventline/sdk/node';
import { nextEvent } from './events';
import type { Ledger } from './ledger';
import type { NoticeTally } from './notices';

export interface NodeSenderOptions {
  ingestUrl: string;
  writeKey: string;
  devices: number;
  eventsPerSecond: number;
  invalidEvery: number;
  ledger: Ledger;
  notices: NoticeTally;
}

type Client = ReturnType<typeof createEventline>;

/**
 * Server-side volume through the SDK's Node entry: one client per device, events tracked at a steady
 * rate spread over the devices. Retries, backoff and per-event results are the SDK's own.
 */
export function createNodeSender(options: NodeSenderOptions) {
  const { ledger, notices } = options;
  const clients: Client[] = Array.from({ length: options.devices }, (_, index) => {
    const client = createEventline({
      writeKey: options.writeKey,
      endpoint: options.ingestUrl,
      flushAt: 50,
      flushIntervalMs: 500,
      retryBaseMs: 200,
      retryMaxMs: 2000,
      // Room for the whole run: during an outage nothing may be pushed out of the queue.
      maxQueue: 100_000,
      maxQueueBytes: 200_000_000,
      autoPage: false,
    });
    client.on('drop', (n) => notices.drop(n.reason, n.events.map((e) => e.properties?.chaos_key as string | undefined)));
    client.on('error', () => notices.error());
    client.on('sent', (n) => notices.sent(n.requestId, `node device ${index}`));
    return client;
  });
  let tracked = 0;

  return {
    /** Track at the planned rate until `deadline` (epoch ms). */
    async run(deadline: number): Promise<void> {
      const start = Date.now();
      while (Date.now() < deadline) {
        const due = Math.floor(((Date.now() - start) / 1000) * options.eventsPerSecond);
        for (; tracked < due; tracked++) {
          const event = nextEvent(ledger, 'node', tracked, options.invalidEvery);
          clients[tracked % clients.length]!.track(event.name, event.properties);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Send what is still queued and stop. */
    async close(): Promise<void> {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
