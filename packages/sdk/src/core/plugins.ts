import type { ClientEvent } from '@eventline/schemas';

/**
 * One stage of the event pipeline. `before` and `enrichment` plugins return the (possibly changed)
 * event, or null to drop it; `destination` plugins get every event that will be sent (a copy each).
 */
export interface Plugin {
  name: string;
  type: 'before' | 'enrichment' | 'destination';
  execute: (event: ClientEvent) => ClientEvent | null;
}

export type PluginResult = { event: ClientEvent } | { dropped: string } | { failed: string; error: unknown };

/** Run before → enrichment on one event. A throwing plugin fails the event (reported), it never breaks track(). */
export function runPlugins(plugins: Plugin[], event: ClientEvent): PluginResult {
  let current = event;
  for (const type of ['before', 'enrichment'] as const) {
    for (const plugin of plugins) {
      if (plugin.type !== type) continue;
      try {
        const next = plugin.execute(current);
        if (next === null) return { dropped: plugin.name };
        current = next;
      } catch (error) {
        return { failed: plugin.name, error };
      }
    }
  }
  return { event: current };
}

/** Hand the event to each destination; a throwing destination is reported through `onError` and skipped. */
export function runDestinations(plugins: Plugin[], event: ClientEvent, onError: (name: string, error: unknown) => void): void {
  for (const plugin of plugins) {
    if (plugin.type !== 'destination') continue;
    try {
      plugin.execute(structuredCopy(event));
    } catch (error) {
      onError(plugin.name, error);
    }
  }
}

function structuredCopy(event: ClientEvent): ClientEvent {
  return JSON.parse(JSON.stringify(event)) as ClientEvent;
}
