import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface InvokeBundledOptions {
  /** Path of a bundle written by `bundleLambda`. */
  bundle: string;
  /** The exported handler to call: `handler`, `kinesisHandler`, … */
  handlerName: string;
  /** The event, as AWS would send it. */
  event: unknown;
  /** The function's environment; nothing of the caller's environment is passed on except PATH. */
  env: Record<string, string>;
}

// Imports the bundle as the Node.js runtime does (an ES module, no node_modules anywhere near it),
// calls the handler once and prints its result as the last line of stdout.
const RUNNER = `
import { readFileSync } from 'node:fs';
const [bundle, handlerName, eventFile] = process.argv.slice(2);
const entry = await import(bundle);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 30000 };
const result = await entry[handlerName](event, context);
process.stdout.write('\\n' + JSON.stringify(result ?? null) + '\\n');
`;

/**
 * Call a bundled Lambda handler in a fresh Node process, the way the runtime loads it, and return
 * what the handler returned. Rejects with the child's stderr when the import or the call fails.
 */
export async function invokeBundledHandler<T = unknown>({ bundle, handlerName, event, env }: InvokeBundledOptions): Promise<T> {
  const dir = dirname(bundle);
  const runner = join(dir, 'invoke.mjs');
  const eventFile = join(dir, 'event.json');
  await Promise.all([writeFile(runner, RUNNER), writeFile(eventFile, JSON.stringify(event))]);
  const child = spawn(process.execPath, [runner, bundle, handlerName, eventFile], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`bundled ${handlerName} exited with ${code}: ${readable(stderr || stdout)}`);
  const last = stdout.trimEnd().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

// A failure inside a minified bundle prints its whole source line: keep each line short.
function readable(output: string): string {
  return output
    .trim()
    .split('\n')
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join('\n');
}
