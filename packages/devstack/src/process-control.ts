import type { ChildProcess } from 'node:child_process';

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited, true when the grace ran out. */
export function stopChild(child: ChildProcess, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(false);
    let killed = false;
    const hardKill = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(hardKill);
      resolve(killed);
    });
    child.kill('SIGTERM');
  });
}

/** Poll until `check` holds; throws naming `what` on timeout. For tests and start-up waits, never timing. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 40_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
