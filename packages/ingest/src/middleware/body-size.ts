import type { Context, MiddlewareHandler } from 'hono';
import { RequestRejectedError } from '../errors';
import { rejectRequest } from '../http/rejection';

/**
 * How much of an oversized body is still read (and thrown away) before the 413: a client that
 * is still sending when the answer comes would otherwise see a reset instead of the reason.
 */
const DISCARD_MAX_BYTES = 8 * 1024 * 1024;

/**
 * 413 `body_too_large` over `maxBytes`, whether the client declared the length or streams it
 * (chunked). Up to DISCARD_MAX_BYTES of the rest is read and thrown away first; beyond that the
 * body is left unread, so the answer carries `Connection: close`: the connection may hold unread
 * body bytes and cannot serve another request (a keep-alive client would otherwise send its next
 * request into a socket the server then drops).
 */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async function bodySizeLimitMiddleware(c, next) {
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      // Node's HTTP parser never hands over more than the declared length. (Not touching `raw.body`
      // here keeps @hono/node-server's fast body read: its web stream costs ~3× the parse.)
      if (Number(declared) <= maxBytes) return next();
      const reader = c.req.raw.body?.getReader();
      if (reader) await discard(reader, DISCARD_MAX_BYTES);
      return tooLarge(c, maxBytes);
    }
    const body = c.req.raw.body;
    if (!body) return next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await read(reader);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await discard(reader, DISCARD_MAX_BYTES - size);
        return tooLarge(c, maxBytes);
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) });
    return next();
  };
}

function tooLarge(c: Context<{ Variables: { requestId: string } }>, maxBytes: number) {
  c.header('Connection', 'close');
  return rejectRequest(c, 413, 'body_too_large', `request body is over the ${maxBytes}-byte limit`);
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  let left = budget;
  while (left > 0) {
    const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (done) return;
    left -= value.byteLength;
  }
}

/** A body that ends before its declared length (the client went away) is the client's fault: 400, not 500. */
async function read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    throw incompleteBody(error);
  }
}

export function incompleteBody(error: unknown): RequestRejectedError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RequestRejectedError(400, 'incomplete_body', `the request body ended before it was complete (${reason.slice(0, 100)})`);
}
