import type { Issue } from '@eventline/schemas';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody } from '../errors';

/** A JSON error answer carrying this request's id (set by the request-id middleware, when it ran). */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, issues?: Issue[]): Response {
  return c.json(errorBody(code, message, issues, (c.var as { requestId?: string }).requestId), status);
}
