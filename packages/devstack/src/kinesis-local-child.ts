// Runs kinesis-local inside this process (so the pid the parent holds is the server) and
// exits when the parent's pipe closes or on SIGTERM. kinesis-local alone hangs on SIGTERM
// while a client holds a keep-alive connection; local data is disposable, so exit at once.
import { createRequire } from 'node:module';
import { forceLoopbackListen } from './loopback-listen';

const exit = (): void => process.exit(0);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
process.stdin.on('end', exit);
process.stdin.resume();

// kinesis-local has no bind-address setting and listens on every interface (plain and TLS ports).
forceLoopbackListen();
createRequire(import.meta.url)('kinesis-local/main.js');
