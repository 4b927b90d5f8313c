import { createServer } from 'node:net';

/** Ask the OS for a free loopback port. There is a short race until the caller binds it. */
export async function freePort(): Promise<number> {
  const [port = 0] = await freePorts(1);
  return port;
}

/**
 * `count` different free loopback ports: the listeners are held open together, so two calls to
 * freePort in a row cannot hand out the same port twice (the OS may reuse a port just closed).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.unref();
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              const port = typeof address === 'object' && address ? address.port : 0;
              if (port > 0) resolve(port);
              else reject(new Error('no port assigned'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}
