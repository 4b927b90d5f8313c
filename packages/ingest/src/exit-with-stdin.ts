/**
 * Opt-in, for development parents (devstack's spawnService sets `EXIT_WITH_STDIN=1` and keeps a pipe
 * on stdin): when stdin closes, the parent is gone, even if it was killed with SIGKILL and could not
 * stop us; stop as on SIGTERM rather than live on as an orphan. Off by default: in production stdin
 * is often closed or /dev/null from the start.
 */
export function stopWhenStdinCloses(env: NodeJS.ProcessEnv, stop: (reason: string) => void): void {
  if (env.EXIT_WITH_STDIN !== '1') return;
  // The parent held the other ends of stdout and stderr too: the stop's first log line would throw
  // EPIPE, unhandled, and end the process before its final flush. Lines nobody can read are dropped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin closed'));
  process.stdin.resume();
}
