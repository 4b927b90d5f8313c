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

/** `/events/3/properties/af_revenue` → `events[3].properties.af_revenue`. */
export function pointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** One line per issue, as the ingest and the CLI print them. */
export function formatIssue(issue: Issue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
