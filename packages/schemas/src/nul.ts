import { pointerToPath, type Issue } from './issue';

/**
 * U+0000 in an event: JSON carries it (as `\u0000`), but PostgreSQL's `text` and `jsonb` cannot store
 * it, so an event holding one would stop the PostgreSQL sink. It is refused at validation instead.
 * Walking every string of every event costs about a quarter of a `JSON.parse`, so callers that have
 * the JSON text ask `mayHoldNul` first (a substring search, ~20 ns per event) and walk only then.
 */
export function mayHoldNul(jsonText: string): boolean {
  // A NUL can only appear as this escape: JSON forbids raw control characters in strings.
  // (A string holding a backslash then "u0000" matches too; the walk settles it.)
  return jsonText.includes('\\u0000');
}

/** A string or object key holding U+0000, as an issue at its path (`events[2].properties.note`); undefined if none does. */
export function findNul(value: unknown, prefix = ''): Issue | undefined {
  // Depth-first without recursion: the value may come from any JSON, nested as deep as JSON.parse allows.
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, pointer] = next;
    if (typeof node === 'string') {
      if (node.includes('\0')) return nulIssue(pointer, prefix);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], `${pointer}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node).reverse();
      for (const [key, child] of entries) {
        const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key.includes('\0')) return nulIssue(at, prefix);
        pending.push([child, at]);
      }
    }
  }
  return undefined;
}

function nulIssue(pointer: string, prefix: string): Issue {
  return { path: pointerToPath(pointer, prefix), code: 'invalid_value', message: 'U+0000 (NUL) is not allowed: PostgreSQL cannot store it' };
}
