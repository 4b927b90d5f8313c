import type { ClientEvent } from '@eventline/schemas';
import { jsonCopy } from './draft';

/**
 * One stage of the event pipeline. `before` and `enrichment` plugins return the (possibly changed)
 * event, or null to drop it; `destination` plugins get every event that will be sent (a copy each).
 */
export interface Plugin {
  name: string;
  type: 'before' | 'enrichment' | 'destination';
  execute: (event: ClientEvent) => ClientEvent | null;
}

const STAGES = ['before', 'enrichment'] as const;

/**
 * Run before → enrichment on one event; returns the event to queue, or null when a plugin dropped it
 * (`onDrop` hears why). A throwing plugin fails only that event, it never breaks track().
 */
export function runPlugins(plugins: Plugin[], event: ClientEvent, onDrop: (message: string) => void): ClientEvent | null {
  let current: ClientEvent | null = event;
  for (const type of STAGES) {
    for (const plugin of plugins) {
      if (plugin.type !== type) continue;
      try {
        current = plugin.execute(current);
      } catch (error) {
        onDrop(`plugin ${plugin.name} threw: ${String(error)}`);
        return null;
      }
      if (current === null) {
        onDrop(`dropped by plugin ${plugin.name}`);
        return null;
      }
    }
  }
  return current;
}

/** Hand the event to each destination; a throwing destination is reported through `onError` and skipped. */
export function runDestinations(plugins: Plugin[], event: ClientEvent, onError: (name: string, error: unknown) => void): void {
  for (const plugin of plugins) {
    if (plugin.type !== 'destination') continue;
    try {
      plugin.execute(jsonCopy(event));
    } catch (error) {
      onError(plugin.name, error);
    }
  }
}
