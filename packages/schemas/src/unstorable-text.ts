import { pointerToPath, type Issue } from './issue';

/**
 * Text JSON can carry but PostgreSQL cannot store: U+0000 (refused by `text` and `jsonb`) and a lone
 * UTF-16 surrogate (not Unicode at all: `jsonb` refuses its `\ud800` escape). An event holding either
 * would stop the PostgreSQL sink, so it is refused at validation instead. Walking every string of every
 * event costs about a quarter of a `JSON.parse`, so callers that have the JSON text ask
 * `mayHoldUnstorableText` first (substring searches, tens of ns per event) and walk only then.
 */
export function mayHoldUnstorableText(jsonText: string): boolean {
  // Both can only appear as escapes: JSON forbids raw control characters, and a raw lone surrogate is
  // not valid UTF-8. (A string holding a backslash then "u0000" or "ud…" matches too; the walk settles it.)
  return jsonText.includes('\\u0000') || jsonText.includes('\\ud') || jsonText.includes('\\uD');
}

/** A string or object key holding unstorable text, as an issue at its path (`events[2].properties.note`); undefined if none does. */
export function findUnstorableText(value: unknown, prefix = ''): Issue | undefined {
  // Depth-first without recursion: the value may come from any JSON, nested as deep as JSON.parse allows.
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, pointer] = next;
    if (typeof node === 'string') {
      const problem = unstorable(node);
      if (problem) return issueAt(value, pointer, prefix, problem);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) pending.push([node[i], `${pointer}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node).reverse()) {
        const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const problem = unstorable(key);
        if (problem) return issueAt(value, at, prefix, problem);
        pending.push([child, at]);
      }
    }
  }
  return undefined;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(text: string): string | undefined {
  if (text.includes('\0')) return 'U+0000 (NUL) is not allowed: PostgreSQL cannot store it';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate is not allowed: it is not Unicode text (PostgreSQL refuses it)';
  return undefined;
}

function issueAt(root: unknown, pointer: string, prefix: string, message: string): Issue {
  return { path: pointerToPath(pointer, prefix, root), code: 'invalid_value', message };
}
