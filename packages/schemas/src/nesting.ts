import { pointerToPath, type Issue } from './issue';

/**
 * Depth of the deepest array/object in `value` (`value` itself is level 1, a scalar 0), stopping once
 * past `stopAt`: recursive, but never deeper than `stopAt` + 1, so any value is safe to walk. It serves
 * the ingest's body ceiling on every request, so the walk allocates nothing but each object's values;
 * with `path`, the keys down to the first container past `stopAt` are pushed to it, deepest first
 * (only once one is found: that is what `tooDeepIssue` reports).
 */
export function nestingDepth(value: unknown, stopAt: number, path?: (string | number)[]): number {
  return typeof value === 'object' && value !== null ? containerDepth(value, 1, stopAt, path) : 0;
}

function containerDepth(node: object, depth: number, stopAt: number, path: (string | number)[] | undefined): number {
  if (depth > stopAt) return depth;
  let max = depth;
  const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (typeof child !== 'object' || child === null) continue;
    const d = containerDepth(child, depth + 1, stopAt, path);
    if (d > max && (max = d) > stopAt) {
      // Object.keys lists in the order Object.values did: the i-th value's key.
      path?.push(Array.isArray(node) ? i : Object.keys(node)[i]!);
      return max;
    }
  }
  return max;
}

/**
 * Where `value` first nests objects/arrays deeper than `max` levels (`value` itself is level 1), as an
 * issue whose path names the first container past the limit; undefined when it stays within. The walk
 * never goes deeper than `max` + 1, so any depth is safe to check.
 */
export function tooDeepIssue(value: unknown, max: number, prefix = ''): Issue | undefined {
  const keys: (string | number)[] = [];
  if (nestingDepth(value, max, keys) <= max) return undefined;
  const pointer = keys
    .reverse()
    .map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
  return { path: pointerToPath(pointer, prefix, value), code: 'too_deep', message: `nests objects/arrays deeper than ${max} levels` };
}
