import { pointerToPath, type Issue } from '@eventline/schemas';

/**
 * A number JSON text can write but not carry: `1e999` parses to Infinity, which JSON.stringify stores as
 * `null`, a silent change of the client's value. Such a value can only show up as `null` in the stored
 * text, so callers walk only events whose stored JSON holds one.
 */
export function mayHoldNonFinite(storedJson: string): boolean {
  return storedJson.includes('null');
}

/** The message of the issue `findNonFinite` reports (the extras fallback tells this refusal from unstorable text by it). */
export const NON_FINITE_MESSAGE = 'number out of range (beyond ±1.8e308, e.g. 1e999): it cannot be stored (JSON would turn it into null)';

/** The first ±Infinity (or NaN) in `value`, as an issue at its path (`events[0].properties.big`); undefined if none. */
export function findNonFinite(value: unknown, prefix: string): Issue | undefined {
  // Depth-first without recursion: events nest at most 32 levels, but the walk should not care.
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, pointer] = next;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return { path: pointerToPath(pointer, prefix, value), code: 'invalid_value', message: NON_FINITE_MESSAGE };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], `${pointer}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node).reverse()) pending.push([child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return undefined;
}
