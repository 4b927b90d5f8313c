import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The HTTP handler of every AWS client here: HTTP/1.1 with keep-alive (the SDK's default handler
 * fails against the local emulators on responses over ~16 KB, and a poll loop wants its connections
 * kept), plus the client's own timeouts; the handler has none by default.
 */
export function keepAliveHandler(timeouts: { connectionTimeout: number; socketTimeout?: number }): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }), httpsAgent: new HttpsAgent({ keepAlive: true }), ...timeouts });
}
