import type { Context } from 'hono';
import type { LambdaEvent } from 'hono/aws-lambda';
import { DeploymentError } from '../errors';
import { forwardedClientIp } from './client-ip';

/**
 * The front ends the Lambda entry serves, told apart by the event's shape:
 * - `payload-2.0`: an HTTP API with payload format 2.0, or a Lambda function URL (the same shape);
 * - `payload-1.0`: a REST API's Lambda proxy integration, or an HTTP API with payload format 1.0;
 * - `alb`: an Application Load Balancer's Lambda target group.
 */
export type LambdaFrontEnd = 'payload-2.0' | 'payload-1.0' | 'alb';

/** An invocation that is no HTTP request of a front end the ingest serves: the invocation fails with this, it is never routed. */
export class UnsupportedLambdaEventError extends Error {
  override readonly name = 'UnsupportedLambdaEventError';
}

const SERVED = 'the ingest answers HTTP requests from an API Gateway HTTP API (payload 2.0 or 1.0), a REST API proxy integration, a function URL or an ALB target group';

/**
 * Which front end sent the event, or an UnsupportedLambdaEventError saying what it looks like. Hono's
 * adapter took anything else for a REST event: a console test invoke (`{}`) became `GET /` and was
 * answered 404 as if it were a request, and a VPC Lattice event lost its query and client address.
 */
export function frontEndOf(event: unknown): LambdaFrontEnd {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const context = typeof e.requestContext === 'object' && e.requestContext !== null ? (e.requestContext as Record<string, unknown>) : undefined;
  if (context !== undefined && typeof context.elb === 'object' && context.elb !== null) return 'alb';
  if (typeof e.rawPath === 'string' && typeof context?.http === 'object' && context.http !== null) return 'payload-2.0';
  if (typeof e.httpMethod === 'string' && typeof e.path === 'string' && context !== undefined) return 'payload-1.0';
  throw new UnsupportedLambdaEventError(`unsupported Lambda event (${describe(e, context)}): ${SERVED}`);
}

function describe(e: Record<string, unknown>, context: Record<string, unknown> | undefined): string {
  if (context !== undefined && 'serviceArn' in context) return 'a VPC Lattice event';
  if (Array.isArray(e.Records)) return 'an event source\'s records; the processor handles those, not the ingest';
  const keys = Object.keys(e);
  return keys.length === 0 ? 'an empty event, as a console test invoke sends' : `keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
}

/** A header of a 1.0 or ALB event in any case (a REST API keeps the client's case), its last value when there are several. */
function headerOf(event: LambdaEvent, name: string): string | undefined {
  const single = (event as { headers?: Record<string, unknown> | null }).headers ?? {};
  const multi = (event as { multiValueHeaders?: Record<string, unknown> | null }).multiValueHeaders ?? {};
  for (const [key, values] of Object.entries(multi)) if (key.toLowerCase() === name && Array.isArray(values) && values.length > 0) return String(values[values.length - 1]);
  for (const [key, value] of Object.entries(single)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}

/**
 * The client's address as the front end saw it: `requestContext.http.sourceIp` (payload 2.0),
 * `requestContext.identity.sourceIp` (payload 1.0). An ALB puts none in its event: it appends the
 * address it was reached from to `X-Forwarded-For` (its default `append` mode), so the last entry is
 * the client and entries further left are the client's own claims. Before this, ALB requests had no
 * client address: no per-client limit and no `context.server.ip`.
 */
export function lambdaClientIp(c: Context): string | undefined {
  const event = (c.env as { event?: LambdaEvent } | undefined)?.event;
  if (event === undefined) return undefined;
  const context = event.requestContext as { http?: { sourceIp?: string }; identity?: { sourceIp?: string }; elb?: unknown };
  if (context.elb !== undefined) return forwardedClientIp(undefined, headerOf(event, 'x-forwarded-for'), 1);
  return context.http?.sourceIp ?? context.identity?.sourceIp;
}

/**
 * Why this event's body cannot be the bytes the client sent, or undefined. A compressed body handed
 * over as text (`isBase64Encoded: false`) was read as UTF-8 on the way, and its bytes that are no UTF-8
 * were replaced: a REST API does that to every body whose type is not one of its binary media types,
 * an ALB to every `text/*`, JSON, JavaScript or XML body. The gzip then failed to inflate and the client
 * was told 400 `invalid_encoding`, which Segment's Android libraries answer by deleting the batch and
 * the SDK by dropping its events (see DeploymentError for what is answered now).
 */
export function bodyAlteredInTransit(event: LambdaEvent, frontEnd: LambdaFrontEnd): DeploymentError | undefined {
  const body = (event as { body?: unknown }).body;
  if (typeof body !== 'string' || body === '' || (event as { isBase64Encoded?: unknown }).isBase64Encoded === true) return undefined;
  const encoding = frontEnd === 'payload-2.0' ? (event as { headers?: Record<string, string | undefined> }).headers?.['content-encoding'] : headerOf(event, 'content-encoding');
  if (encoding === undefined || encoding.trim() === '' || encoding.trim().toLowerCase() === 'identity') return undefined;
  const fix = {
    alb: 'an ALB passes text/*, JSON, JavaScript and XML bodies as text whatever their Content-Encoding: serve compressed bodies through an API Gateway HTTP API or a function URL instead',
    'payload-1.0': 'on a REST API add the binary media type */* (Settings → Binary media types) and redeploy the stage',
    'payload-2.0': 'an HTTP API and a function URL hand such bodies over base64-encoded: whatever built this event decoded it',
  }[frontEnd];
  const message = `the ${encoding.trim().slice(0, 32)} body arrived as text (isBase64Encoded false), its bytes changed on the way: ${fix}`;
  // An ALB never carries it (415: the SDK resends as plain JSON); elsewhere a setting fixes it (500: resend later).
  return new DeploymentError(message, frontEnd === 'alb' ? 415 : 500);
}
