/** Why a value was rejected, and exactly where: `events[3].properties.af_revenue`. */
export interface Issue {
  path: string;
  code: IssueCode;
  message: string;
}

export type IssueCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_format'
  | 'invalid_value'
  | 'too_long'
  | 'too_short'
  | 'too_big'
  | 'too_small'
  | 'unexpected_property'
  | 'too_many_items'
  | 'too_few_items'
  | 'too_deep';

/**
 * `/events/3/properties/af_revenue` → `events[3].properties.af_revenue`. A key that is not an
 * identifier is quoted (`properties["a.b"]`). Given `root`, the value the pointer points into, a
 * numeric segment is an index only where the value there is an array: an object key `"0"` is `["0"]`
 * (both were `[0]`). Without it, every numeric segment reads as an index.
 */
export function pointerToPath(pointer: string, prefix = '', root?: unknown): string {
  let out = prefix;
  let at: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const inObject = typeof at === 'object' && at !== null && !Array.isArray(at);
    if (/^\d+$/.test(key) && !inObject) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
    at = typeof at === 'object' && at !== null && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

/** One line per issue, as the ingest and the CLI print them. */
export function formatIssue(issue: Issue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
