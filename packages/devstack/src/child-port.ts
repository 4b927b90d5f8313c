import type { ChildProcess } from 'node:child_process';

/** The port a *-child.js script prints as `{"port":N}` on its first stdout line once listening. */
export function readChildPort(child: ChildProcess, name: string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-2000)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(out.split('\n')[0] ?? '') as { port: number }).port);
      } catch (error) {
        reject(new Error(`${name} printed an unexpected first line: ${out}`, { cause: error }));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code}: ${err}`));
    });
  });
}
