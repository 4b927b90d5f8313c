import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The HTTP handler of every AWS client here: HTTP/1.1 with keep-alive (the SDK's default handler
 * fails against the local emulators on responses over ~16 KB, and a poll loop wants its connections
 * kept), plus the client's own timeouts; the handler has none by default. `maxSockets` caps the
 * connections per host (default: none); further requests wait for a free one.
 */
export function keepAliveHandler(options: { connectionTimeout: number; socketTimeout?: number; maxSockets?: number }): NodeHttpHandler {
  const { maxSockets, ...timeouts } = options;
  const agent = { keepAlive: true, ...(maxSockets !== undefined ? { maxSockets } : {}) };
  return new NodeHttpHandler({ httpAgent: new Agent(agent), httpsAgent: new HttpsAgent(agent), ...timeouts });
}
