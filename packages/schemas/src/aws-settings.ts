/**
 * AWS settings the ingest and the processor both read, checked by one rule: a value that passes as
 * a string and then sends every call somewhere else is refused at start, with the form to write.
 */

/**
 * A region code: `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `eusc-de-east-1`. The SDK takes any
 * string and builds a host from it (`us-east1` → kinesis.us-east1.amazonaws.com, which does not
 * exist), so a typo or an availability zone (`eu-west-1a`) failed every call at run time.
 */
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** Pushes a problem when `value` (from `variable`) is not shaped like an AWS region code. */
export function checkAwsRegion(variable: string, value: string, problems: string[]): void {
  if (REGION.test(value)) return;
  const zone = /^([a-z]{2,4}(-[a-z]+)+-\d{1,2})[a-z]$/.exec(value)?.[1];
  const hint = zone ? `: "${value}" is an availability zone, the region is "${zone}"` : REGION.test(value.toLowerCase()) ? `: write "${value.toLowerCase()}"` : '';
  problems.push(`${variable} must be an AWS region code such as us-east-1, got "${value}"${hint}`);
}

/**
 * Pushes a problem when `value` is not an endpoint an AWS client can use as given: an http(s) URL of a
 * host and port only. The SDK puts its own path after the endpoint's (`http://minio:9000/lake` made
 * every S3 key `/lake/<bucket>/…`: another bucket), and a bad port failed every call (`Invalid URL`).
 */
export function checkEndpointUrl(variable: string, value: string, problems: string[]): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || !/^https?:\/\/[^\s/]/i.test(value)) {
    problems.push(`${variable} must be an http(s) URL such as http://127.0.0.1:4567, got "${value}"`);
    return;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    problems.push(`${variable} must be a scheme, host and port only, got "${value}": write "${url.protocol}//${url.host}"`);
  }
}
