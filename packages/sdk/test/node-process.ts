import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The built Node entry (npx turbo run build --filter=@eventline/sdk), for scripts run in a process of
 * their own: what happens at its exit is the point.
 */
export const NODE_ENTRY = fileURLToPath(new URL('../dist/node.js', import.meta.url));

/**
 * Run an ES module script in a fresh Node process (with Node `flags`); resolves with its stdout once
 * it has exited. A process still running after a minute is killed, and that is a failure.
 */
export function runScript(source: string, flags: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, '--input-type=module', '-e', source], { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}
