import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const NODE_ENTRY = new URL('../dist/node.js', import.meta.url).pathname;

/**
 * Start the real Node entry (dist/node.js) as a child process on a free port; resolves on its "listening"
 * line. Later lines go to `lines`. `nodeArgs` go before the entry (e.g. `--import` of a test's fault hook).
 */
export async function startIngest(env: Record<string, string>, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(process.execPath, [...nodeArgs, NODE_ENTRY], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    reader.on('line', (line) => {
      lines.push(line);
      const record = JSON.parse(line) as { msg: string; url?: string };
      if (record.msg === 'listening' && record.url) resolve({ child, url: record.url, lines });
    });
    child.once('exit', (code) => reject(new Error(`ingest exited with ${code} before listening`)));
  });
}
