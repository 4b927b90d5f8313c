import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * For an emulator's child process: listen on 127.0.0.1 (`port` 0 = a free one), print `{"port":N}`
 * once listening so the parent never races for a port, and stop on SIGTERM, SIGINT or when the
 * parent's stdin pipe closes (the parent is gone: do not outlive it).
 */
export function serveOnLoopbackUntilStopped(server: Server, port: number): void {
  server.listen(port, '127.0.0.1', () => {
    const { port: bound } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ port: bound })}\n`);
  });
  const shutdown = (): void => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
