import type { LambdaEvent } from 'hono/aws-lambda';
import { RequestRejectedError } from '../errors';

/**
 * The event as Hono's adapter and the app both read it, with what AWS documents but a relay, an emulator
 * or a hand-written event may send otherwise put in its documented form first (AWS's own front ends send
 * every field as documented, so their events pass unchanged but for Content-Length):
 * - `isBase64Encoded` a boolean: the string `"true"` or `"false"` (any case) read as that. Hono decoded any
 *   truthy value, `"false"` too (its JSON body then failed as base64: a bare 500 "Internal Server Error"),
 *   while the ingest's body checks (lambda-body.ts) took only `true`;
 * - a base64 body with characters `atob` refuses (anything outside A–Z a–z 0–9 + / =, an `=` inside):
 *   not handed on (Hono answered it a bare 500); `undecodable`, so the app answers 400 `invalid_encoding`;
 * - `multiValueHeaders` holding a string where a list belongs taken as a list of one, other non-strings
 *   dropped (Hono failed on them with a bare 400 "Invalid request");
 * - no `Content-Length`: the front end already received the body, which is all there is. Hono sets the
 *   header from the body when there is one; with none (`""`, `null`) the client's own header stayed, and
 *   an empty body declaring 2 MB was answered 413 `body_too_large`;
 * - one entry per header name, lower-case, in `headers` and in `multiValueHeaders` (`combinedHeaders`).
 *   An ALB or a REST API keeps the client's case, so `Authorization` and `authorization` can both be
 *   there: Hono kept the last, the ingest's own reader (`headerOf`) the first, and the two judged one
 *   request differently. `conflict` is the answer to a request that cannot be read one way.
 */
export function documentedShape<L extends LambdaEvent>(event: L): { event: L; undecodable: boolean; conflict?: RequestRejectedError } {
  const e = event as unknown as Record<string, unknown>;
  let base64 = readFlag(e.isBase64Encoded);
  let body = e.body;
  const undecodable = base64 && typeof body === 'string' && !isForgivingBase64(body);
  if (undecodable) {
    body = '';
    base64 = false;
  }
  const shaped: Record<string, unknown> = { ...e, isBase64Encoded: base64, body };
  let conflict: RequestRejectedError | undefined;
  if (isRecord(e.headers)) {
    const single = combinedHeaders(listsOfStrings(e.headers));
    conflict ??= single.conflict;
    shaped.headers = withoutContentLength(Object.fromEntries(Object.entries(single.headers).map(([name, [value]]) => [name, value])));
  }
  if (isRecord(e.multiValueHeaders)) {
    const multi = combinedHeaders(listsOfStrings(e.multiValueHeaders));
    conflict ??= multi.conflict;
    shaped.multiValueHeaders = withoutContentLength(multi.headers);
  }
  return { event: shaped as unknown as L, undecodable, ...(conflict ? { conflict } : {}) };
}

/** Headers that hold one value (RFC 9110): lines of one of them that differ leave the request with no meaning. */
const SINGLE_VALUED: ReadonlySet<string> = new Set(['authorization', 'content-type', 'content-encoding', 'content-length']);

/**
 * Every line of a header, whatever the case of its name, as one value under its lower-case name, as HTTP
 * combines them (RFC 9110 5.3: in order, joined with `, `; Cookie's with `; `, RFC 6265 5.4). A
 * single-valued header sent more than once with different values is a `conflict` (400
 * `conflicting_header`, naming it, never quoting it: it may be a credential); the same value repeated is that value.
 */
export function combinedHeaders(headers: Record<string, string[]>): { headers: Record<string, [string]>; conflict?: RequestRejectedError } {
  const lines = new Map<string, string[]>();
  for (const [name, values] of Object.entries(headers)) {
    const key = name.toLowerCase();
    lines.set(key, [...(lines.get(key) ?? []), ...values]);
  }
  const combined: Record<string, [string]> = {};
  for (const [name, values] of lines) {
    if (SINGLE_VALUED.has(name)) {
      const distinct = new Set(values.map((value) => value.trim()));
      if (distinct.size > 1) {
        const message = `the ${name} header came ${values.length} times with different values; it holds one value: send it once`;
        return { headers: {}, conflict: new RequestRejectedError(400, 'conflicting_header', message) };
      }
      combined[name] = [values[0] ?? ''];
    } else combined[name] = [values.join(name === 'cookie' ? '; ' : ', ')];
  }
  return { headers: combined };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readFlag(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function withoutContentLength<T>(headers: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
}

function listsOfStrings(headers: Record<string, unknown>): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    const list = (Array.isArray(values) ? values : [values]).filter((v): v is string => typeof v === 'string');
    if (list.length > 0) lists[name] = list;
  }
  return lists;
}

/**
 * What `atob` decodes (the HTML standard's forgiving-base64 decode): ASCII whitespace ignored, at most two
 * `=` at the end of a length that is a multiple of 4, no length of 4n + 1, only the base64 alphabet.
 */
export function isForgivingBase64(text: string): boolean {
  let data = text.replace(/[\t\n\f\r ]/g, '');
  if (data.length % 4 === 0) data = data.replace(/={1,2}$/, '');
  return data.length % 4 !== 1 && /^[A-Za-z0-9+/]*$/.test(data);
}
