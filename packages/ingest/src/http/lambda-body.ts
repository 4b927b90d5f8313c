import type { LambdaEvent } from 'hono/aws-lambda';
import { DeploymentError, RequestRejectedError } from '../errors';
import { headerOf, type LambdaFrontEnd } from './lambda-event';

/**
 * What a Lambda event's body is, judged from its bytes (not from `isBase64Encoded` or the front end),
 * when it comes with a Content-Encoding other than identity:
 * - `compressed`: the compressed bytes as sent (gzip's magic 1f 8b, base64-encoded): inflated as usual;
 * - `decoded`: plain JSON text despite a gzip, x-gzip or deflate header: the front end inflated it and kept the header. AWS
 *   documents this for API Gateway ("it attempts to decompress the payload with the specified content
 *   coding. If the decompression is successful, it dispatches the request to the integration endpoint",
 *   api-gateway-make-request-with-compressed-payload), and the body then arrives as text with
 *   `Content-Encoding: gzip` still set. Before, that was answered 500 and retried for days;
 * - `altered`: a gzip body handed over as text (`isBase64Encoded: false`): its bytes that are no UTF-8
 *   were replaced on the way (1f EF BF BD …), nothing can restore it. Answered 415 `unsupported_encoding`,
 *   which the SDK answers by resending the same events as plain JSON at once.
 * - `undecodable`: `isBase64Encoded` true and a body that is no base64 (lambda-event-shape.ts): answered 400
 *   `invalid_encoding`, whatever its Content-Encoding.
 * Anything else is left to the app (a body that is no gzip under a gzip header: 400 `invalid_encoding`).
 */
export type LambdaBody = { kind: 'compressed' } | { kind: 'decoded' } | { kind: 'altered'; error: DeploymentError } | { kind: 'undecodable'; error: RequestRejectedError };

/** The answer to a body the event calls base64 that is not: nothing of it can be read. */
export function undecodableBody(): LambdaBody {
  const message = 'the body is not valid base64 though the Lambda event says isBase64Encoded: true (AWS front ends encode it themselves; whatever built or relayed this event did not)';
  return { kind: 'undecodable', error: new RequestRejectedError(400, 'invalid_encoding', message) };
}

export function lambdaBodyOf(event: LambdaEvent, frontEnd: LambdaFrontEnd): LambdaBody | undefined {
  const body = (event as { body?: unknown }).body;
  if (typeof body !== 'string' || body === '') return undefined;
  // Payload 2.0's headers are one lower-case line each, which headerOf reads as it reads the others'.
  const encoding = headerOf(event, 'content-encoding')?.trim();
  if (encoding === undefined || encoding === '' || encoding.toLowerCase() === 'identity') return undefined;
  const base64 = (event as { isBase64Encoded?: unknown }).isBase64Encoded === true;
  const head = base64 ? Buffer.from(body.slice(0, 64), 'base64') : Buffer.from(body.slice(0, 16), 'utf8');
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'compressed' };
  if (inflatedByFrontEnd(encoding) && startsAsJson(head)) return { kind: 'decoded' };
  // A text body starting with gzip's first byte: the second (8b) is no UTF-8 and was replaced (EF BF BD).
  if (!base64 && head[0] === 0x1f) return { kind: 'altered', error: alteredError(encoding, event, frontEnd) };
  return undefined;
}

/**
 * The codings a front end may have inflated before invoking: API Gateway's (deflate, gzip; its
 * api-gateway-enable-compression page lists these and identity) and x-gzip, gzip's alias. Under any other
 * (br, zstd, …) a body starting with `{` or `[` is only compressed bytes that happen to (brotli output
 * can start with 0x5b): read as JSON it was answered 400, which the SDK does not resend; left to the app,
 * it is answered 415 `unsupported_encoding`, on which the SDK resends plain JSON.
 */
const INFLATED_BY_FRONT_END: ReadonlySet<string> = new Set(['gzip', 'x-gzip', 'deflate']);
const inflatedByFrontEnd = (encoding: string): boolean => INFLATED_BY_FRONT_END.has(encoding.toLowerCase());

/** JSON text as the ingest takes it: an object or an array, after optional whitespace. */
function startsAsJson(head: Uint8Array): boolean {
  for (const byte of head) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b; // { or [
  }
  return false;
}

function alteredError(encoding: string, event: LambdaEvent, frontEnd: LambdaFrontEnd): DeploymentError {
  const version = (event as { version?: unknown }).version;
  const how = {
    alb: 'an ALB is documented (in one version of its page) to hand a body with a Content-Encoding over base64-encoded',
    'payload-2.0': 'an HTTP API (payload 2.0) and a function URL hand compressed bodies over base64-encoded',
    'payload-1.0': version === '1.0' ? 'an HTTP API (payload 1.0) hands compressed bodies over base64-encoded' : 'a REST API inflates a gzip body itself before invoking the function',
  }[frontEnd];
  // AWS's ALB page has read both ways (JSON and text bodies passed as they are; any body with a
  // Content-Encoding base64-encoded): for an ALB the advice covers the first reading too.
  const advice =
    frontEnd === 'alb'
      ? 'if this ALB passes JSON or text bodies as they are, send compressed bodies through an HTTP API or a function URL instead (the SDK resends plain JSON at once)'
      : 'so whatever built or relayed this event (a proxy, an emulator, a test harness) read the compressed bytes as text; have it pass them base64-encoded with isBase64Encoded true';
  return new DeploymentError(
    `the ${encoding.slice(0, 32)} body arrived as text (isBase64Encoded false) with its bytes changed: ${how}; ${advice}`,
  );
}
