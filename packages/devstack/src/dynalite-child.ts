// Child process that runs dynalite on a free loopback port and prints `{"port":N}` once
// listening, so the parent never races for a port. Data lives in DATA_DIR when set (LevelDB).
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

const server = dynalite({ path: process.env.DATA_DIR || undefined, createTableMs: 50, deleteTableMs: 50, updateTableMs: 50 });

server.listen(0, '127.0.0.1', () => {
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
