import { pointerToPath, type Issue } from './issue';

/**
 * Where `value` first nests objects/arrays deeper than `max` levels (`value` itself is level 1), as an
 * issue whose path names the first container past the limit; undefined when it stays within. The walk
 * never goes deeper than `max` + 1, so any depth is safe to check.
 */
export function tooDeepIssue(value: unknown, max: number, prefix = ''): Issue | undefined {
  const pointer = pastLimit(value, 1, max);
  if (pointer === undefined) return undefined;
  return { path: pointerToPath(pointer, prefix), code: 'too_deep', message: `nests objects/arrays deeper than ${max} levels` };
}

/** JSON pointer (relative to `node`) of the first container at level `max` + 1, if any. */
function pastLimit(node: unknown, depth: number, max: number): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (depth > max) return '';
  const children: [string | number, unknown][] = Array.isArray(node) ? [...node.entries()] : Object.entries(node);
  for (const [key, child] of children) {
    const below = pastLimit(child, depth + 1, max);
    if (below !== undefined) return `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}${below}`;
  }
  return undefined;
}
