// Child process that runs s3rver on a free loopback port and prints `{"port":N}` once
// listening. Objects live in DATA_DIR (a folder per bucket); BUCKETS lists buckets to create.
import S3rver from 's3rver';

const buckets = (process.env.BUCKETS ?? '').split(',').filter(Boolean);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.DATA_DIR ?? '',
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});

server.run().then(
  (address) => process.stdout.write(`${JSON.stringify({ port: address.port })}\n`),
  (error: unknown) => {
    process.stderr.write(`s3rver failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);

function shutdown(): void {
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`s3rver close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent's pipe closing means the parent is gone: do not outlive it.
process.stdin.on('end', shutdown);
process.stdin.resume();
