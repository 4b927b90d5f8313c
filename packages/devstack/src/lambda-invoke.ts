import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface InvokeBundledOptions {
  /** Path of a bundle written by `bundleLambda`. */
  bundle: string;
  /** The exported handler to call: `handler`, `kinesisHandler`, … */
  handlerName: string;
  /** The event, as AWS would send it. */
  event: unknown;
  /**
   * The function's environment. Of the caller's, only PATH is passed on (and the AWS SDK's Node
   * version warning is turned off, as it is noise here).
   */
  env: Record<string, string>;
  /** The process is killed (SIGKILL) and the call rejected after this long. Default 30 s. */
  timeoutMs?: number;
}

// Imports the bundle as the Node.js runtime does (an ES module, no node_modules anywhere near it),
// calls the handler once and writes its result to a file (stdout is the handler's to log on).
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
const [bundleUrl, handlerName, eventFile, resultFile] = process.argv.slice(2);
const entry = await import(bundleUrl);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 30000 };
const result = await entry[handlerName](event, context);
writeFileSync(resultFile, JSON.stringify(result ?? null));
`;

/**
 * Call a bundled Lambda handler in a fresh Node process, the way the runtime loads it, and return
 * what the handler returned once the process has exited (a timer left running fails the call at
 * `timeoutMs`). The runner and the event live in a temporary folder of their own, never next to the
 * bundle that gets zipped. Rejects with the child's stderr when the import or the call fails.
 */
export async function invokeBundledHandler<T = unknown>({ bundle, handlerName, event, env, timeoutMs = 30_000 }: InvokeBundledOptions): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'eventline-invoke-'));
  try {
    const [runner, eventFile, resultFile] = ['invoke.mjs', 'event.json', 'result.json'].map((name) => join(dir, name)) as [string, string, string];
    await Promise.all([writeFile(runner, RUNNER), writeFile(eventFile, JSON.stringify(event))]);
    const child = spawn(process.execPath, [runner, pathToFileURL(bundle).href, handlerName, eventFile, resultFile], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (signal === 'SIGKILL') throw new Error(`bundled ${handlerName} did not exit within ${timeoutMs} ms (killed): ${readable(output)}`);
    if (code !== 0) throw new Error(`bundled ${handlerName} exited with ${code ?? signal}: ${readable(output)}`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A failure inside a minified bundle prints its whole source line: keep each line short.
function readable(output: string): string {
  return output
    .trim()
    .split('\n')
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join('\n');
}
