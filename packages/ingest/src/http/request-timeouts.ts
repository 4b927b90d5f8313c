import type { ServerOptions } from 'node:http';

/** A request's header section arrives in one or two packets; a client still sending headers after this is stalling. */
const HEADERS_TIMEOUT_MAX_MS = 10_000;
/**
 * The whole request, however steadily it trickles (Node's own default, stated so it cannot move): a
 * backstop behind the body's idle and minimum-rate bounds (`boundBody`). 500 KB at 6 KB/s, a slow mobile uplink, takes ~85 s.
 */
const REQUEST_TOTAL_TIMEOUT_MS = 300_000;
/** How often Node looks for connections past these timeouts (its default, 30 s, would add up to 30 s to each). */
const CHECK_INTERVAL_MS = 1_000;

/**
 * The Node server's bounds on a slow client, besides the body's idle and minimum-rate bounds (INGEST_REQUEST_TIMEOUT_MS,
 * INGEST_MIN_BODY_BYTES_PER_SECOND, `boundBody`): headers within 10 s (or the idle bound, when shorter), the whole request within
 * 300 s, else 408 `request_timeout`. The time to answer (the Kinesis write) is not counted: these end
 * once the request is in.
 */
export function requestTimeouts(idleTimeoutMs: number): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> {
  return {
    requestTimeout: REQUEST_TOTAL_TIMEOUT_MS,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MAX_MS, idleTimeoutMs),
    connectionsCheckingInterval: CHECK_INTERVAL_MS,
  };
}
