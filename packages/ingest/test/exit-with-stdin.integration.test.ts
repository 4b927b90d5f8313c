import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NODE_ENTRY } from './ingest-process';

describe('EXIT_WITH_STDIN=1 (a development parent that may die by SIGKILL)', () => {
  it('stops gracefully, exit code 0, when stdin closes and nobody reads its output any more', async () => {
    const child = spawn(process.execPath, [NODE_ENTRY], {
      // No request is made, so the Kinesis endpoint (a closed loopback port) is never called.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', EXIT_WITH_STDIN: '1', PORT: '0', INGEST_WRITE_KEYS: 'wk_live=shop', KINESIS_ENDPOINT: 'http://127.0.0.1:9' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    for await (const line of createInterface({ input: child.stdout })) if ((JSON.parse(line) as { msg: string }).msg === 'listening') break;
    // As when the parent is killed: every pipe's other end goes away at once.
    child.stdout.destroy();
    child.stderr.destroy();
    child.stdin.end();
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
