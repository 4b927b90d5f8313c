/**
 * Preloaded (`node --import`) into the services spawnService starts, so the services' own entries
 * need no development hook. spawnService holds a pipe on the child's stdin: when it closes, the
 * parent is gone (even after `kill -9`), and the service is sent SIGTERM, its own graceful stop,
 * instead of living on as an orphan.
 */

// The parent held the other ends of stdout and stderr too: the stop's first log line would throw
// EPIPE, unhandled, and end the process before its final flush. Lines nobody can read are dropped.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const parentGone = (): void => void process.kill(process.pid, 'SIGTERM');
process.stdin.once('end', parentGone);
process.stdin.once('error', parentGone);
process.stdin.resume();
// Reading stdin must not keep a service alive that has stopped for another reason.
(process.stdin as { unref?: () => void }).unref?.();
