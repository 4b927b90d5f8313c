// Child process that runs kinesalite on a free loopback port and prints `{"port":N}` once
// listening, so the parent never races for a port. Data lives in DATA_DIR when set (LevelDB).
import kinesalite from 'kinesalite';
import type { AddressInfo } from 'node:net';

const server = kinesalite({
  path: process.env.DATA_DIR || undefined,
  createStreamMs: 50,
  deleteStreamMs: 50,
  updateStreamMs: 50,
  shardLimit: 50,
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

function shutdown(): void {
  server.closeAllConnections();
  server.close(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent's pipe closing means the parent is gone: do not outlive it.
process.stdin.on('end', shutdown);
process.stdin.resume();
