/**
 * AWS settings the ingest and the processor both read, checked by one rule: a value that passes as
 * a string and then sends every call somewhere else is refused at start, with the form to write.
 */

/**
 * A region code: `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `eusc-de-east-1`. The SDK takes any
 * string and builds a host from it (`us-east1` → kinesis.us-east1.amazonaws.com, which does not
 * exist), so a typo or an availability zone (`eu-west-1a`) failed every call at run time.
 */
const REGION_CODE = '[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}';
const REGION = new RegExp(`^${REGION_CODE}$`);

/**
 * A region with the FIPS pseudo-region form the SDK also takes (`us-east-1-fips`, `fips-us-gov-west-1`:
 * the region, with the FIPS endpoint switched on).
 */
const FIPS_REGION = new RegExp(`^(?:fips-)?${REGION_CODE}(?:-fips)?$`);

/** An availability zone: a region and one letter (`eu-west-1a`); the region is group 1. */
const ZONE = new RegExp(`^(${REGION_CODE})[a-z]$`);

/** Pushes a problem when `value` (from `variable`) is not shaped like an AWS region code. */
export function checkAwsRegion(variable: string, value: string, problems: string[]): void {
  if (FIPS_REGION.test(value) && !(value.startsWith('fips-') && value.endsWith('-fips'))) return;
  const zone = ZONE.exec(value)?.[1];
  const hint = zone ? `: "${value}" is an availability zone, the region is "${zone}"` : REGION.test(value.toLowerCase()) ? `: write "${value.toLowerCase()}"` : '';
  problems.push(`${variable} must be an AWS region code such as us-east-1, got "${value}"${hint}`);
}

/**
 * Pushes a problem when `value` is not an endpoint an AWS client can use as given: an http(s) URL of a
 * host and port only. The SDK puts its own path after the endpoint's (`http://minio:9000/lake` made
 * every Kinesis or DynamoDB call go to another path), and a bad port failed every call (`Invalid URL`).
 * `path: true` (S3_ENDPOINT) also takes a path: some S3-compatible stores serve the API below one
 * (Supabase Storage's `https://<ref>.storage.supabase.co/storage/v1/s3`), and the S3 client keeps it
 * before `/<bucket>/<key>`. A query, a `#` part or a user is refused either way.
 */
export function checkEndpointUrl(variable: string, value: string, problems: string[], options: { path?: boolean } = {}): void {
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
  const pathOk = options.path === true || url.pathname === '/';
  if (!pathOk || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    const form = options.path === true ? 'a scheme, host, port and path only' : 'a scheme, host and port only';
    const path = options.path === true && url.pathname !== '/' ? url.pathname : '';
    problems.push(`${variable} must be ${form}, got "${value}": write "${url.protocol}//${url.host}${path}"`);
  }
}
