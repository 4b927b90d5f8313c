import type { Context } from 'hono';
import type { LambdaEvent } from 'hono/aws-lambda';
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

/**
 * A header of a 1.0 or ALB event in any case (a REST API keeps the client's case). With multi-value
 * headers, a header sent on several lines has each line as a value: they are joined in order with
 * `, `, as one line would hold them (X-Forwarded-For: its entries then stand in the order they were
 * appended; taking the last line alone lost the entries before it).
 */
export function headerOf(event: LambdaEvent, name: string): string | undefined {
  const single = (event as { headers?: Record<string, unknown> | null }).headers ?? {};
  const multi = (event as { multiValueHeaders?: Record<string, unknown> | null }).multiValueHeaders ?? {};
  for (const [key, values] of Object.entries(multi)) if (key.toLowerCase() === name && Array.isArray(values) && values.length > 0) return values.map(String).join(', ');
  for (const [key, value] of Object.entries(single)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}

/**
 * The client's address as the front end saw it: `requestContext.http.sourceIp` (payload 2.0),
 * `requestContext.identity.sourceIp` (payload 1.0). An ALB puts none in its event: it appends the
 * address it was reached from to `X-Forwarded-For` (its default `append` mode). That is the client
 * when nothing stands before the ALB; each proxy before it (CloudFront, say) appended its own client
 * first, so with `trustedProxies` (INGEST_TRUSTED_PROXIES) proxies in all, counting the ALB, the client
 * is that many entries from the end. 0 and 1 both mean the ALB alone. Entries further left are the
 * client's own claims. Behind CloudFront with 1, every client was the edge: one rate-limit bucket and
 * the edge's address stored. API Gateway's sourceIp is the peer API Gateway saw: behind a CloudFront
 * distribution of your own that is the edge (README: the client address per front end).
 */
export function lambdaClientIp(trustedProxies: number): (c: Context) => string | undefined {
  const hops = Math.max(1, trustedProxies);
  return (c) => {
    const event = (c.env as { event?: LambdaEvent } | undefined)?.event;
    if (event === undefined) return undefined;
    const context = event.requestContext as { http?: { sourceIp?: string }; identity?: { sourceIp?: string }; elb?: unknown };
    if (context.elb !== undefined) return forwardedClientIp(undefined, headerOf(event, 'x-forwarded-for'), hops);
    return context.http?.sourceIp ?? context.identity?.sourceIp;
  };
}
