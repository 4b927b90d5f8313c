import type { ServerOptions } from 'node:http';

/** A request's header section arrives in one or two packets; a client still sending headers after this is stalling. */
const HEADERS_TIMEOUT_MAX_MS = 10_000;
/** How often Node looks for connections past these timeouts (its default, 30 s, would add up to 30 s to each). */
const CHECK_INTERVAL_MS = 1_000;

/**
 * The Node server's bounds on a slow client (INGEST_REQUEST_TIMEOUT_MS): the whole request must arrive
 * within `requestTimeoutMs`, its headers within 10 s (or that, when shorter), else 408 `request_timeout`.
 * Node's own defaults (300 s and 60 s) let a client that stalls mid-body hold its connection and the body
 * read so far (up to INGEST_MAX_BODY_BYTES, before any key is checked when the key is in the body) for
 * five minutes. The time to answer (the Kinesis write) is not counted: the bound ends once the request is in.
 */
export function requestTimeouts(requestTimeoutMs: number): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MAX_MS, requestTimeoutMs),
    connectionsCheckingInterval: CHECK_INTERVAL_MS,
  };
}
