import { parseRetryAfter } from '../../core/retry-after';
import type { Transport } from '../../core/types';
import type { FetchFn } from './global-scope';

/**
 * POST with fetch. Resolves with every HTTP status (the core decides what it means); rejects only
 * when no response arrived. `keepalive` (every send that fits the 64 KiB budget, unload sends included) lets the request outlive the page.
 */
export function createFetchTransport(getFetch: () => FetchFn | undefined): Transport {
  return {
    async send(url, body, headers, options) {
      const fetchFn = getFetch();
      if (!fetchFn) throw new Error('fetch is not available');
      const response = await fetchFn(url, {
        method: 'POST',
        headers,
        body: body as string | Uint8Array<ArrayBuffer>,
        keepalive: options?.keepalive === true,
        signal: options?.signal,
        credentials: 'omit',
      });
      const text = await response.text();
      return {
        status: response.status,
        body: parseJson(text),
        retryAfterMs: parseRetryAfter(response.headers.get('Retry-After'), Date.now()),
      };
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // handled: a non-JSON body (proxy error page) is treated as "no body"
  }
}
