import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

/**
 * Bundle a one-line app that imports from the published ESM entry (dist: build first), as a site's
 * bundler would: a browser target, tree-shaking on.
 */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** Text only the default instance (default-instance.ts) holds: its error for getDeviceId() before init(). */
const DEFAULT_INSTANCE = 'eventline: init() first';

describe('tree-shaking @eventline/sdk', () => {
  it('one named export (createEventline) leaves the default instance out', async () => {
    const out = await bundle("import { createEventline } from '@eventline/sdk'; console.log(createEventline);");
    expect(out).toContain('function createEventline');
    expect(out).not.toContain(DEFAULT_INSTANCE);
    expect(out).not.toContain('createDefaultInstance');
  });

  it('a type or the version alone brings in no client at all', async () => {
    const out = await bundle("import { SDK_VERSION } from '@eventline/sdk'; console.log(SDK_VERSION);");
    expect(out).not.toContain('createClient');
    expect(out).not.toContain(DEFAULT_INSTANCE);
    // Nor any other top-level value: a bundler keeps the ones it cannot prove pure (a call, a spread, `**`).
    expect([...out.matchAll(/^(?:var|let|const|function|class) (\w+)/gm)].map((m) => m[1])).toEqual(['SDK_VERSION']);
  });

  it('importing the page-wide API does bring it in (the check above can fail)', async () => {
    const out = await bundle("import { init, track } from '@eventline/sdk'; init({ writeKey: 'k', endpoint: 'https://x' }); track('a');");
    expect(out).toContain(DEFAULT_INSTANCE);
  });
});

/**
 * The same with a Vite production build (Rollup) of a page whose script imports `source`: an app
 * folder of its own, `@eventline/sdk` linked into its node_modules as an install leaves it.
 */
async function viteBundle(source: string): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), 'eventline-vite-app-'));
  try {
    mkdirSync(join(app, 'node_modules', '@eventline'), { recursive: true });
    symlinkSync(fileURLToPath(new URL('..', import.meta.url)), join(app, 'node_modules', '@eventline', 'sdk'), 'dir');
    writeFileSync(join(app, 'index.html'), '<script type="module" src="./main.js"></script>');
    writeFileSync(join(app, 'main.js'), source);
    const output = (await viteBuild({ root: app, logLevel: 'silent', configFile: false, build: { write: false } })) as Rollup.RollupOutput;
    return output.output.flatMap((file) => (file.type === 'chunk' ? [file.code] : [])).join('\n');
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

describe('tree-shaking @eventline/sdk in a Vite production build', () => {
  it('createEventline alone leaves the page-wide instance out; init and track bring it in', async () => {
    const clientOnly = await viteBundle("import { createEventline } from '@eventline/sdk'; createEventline({ writeKey: 'k', endpoint: 'https://x' }).track('a');");
    const pageWide = await viteBundle("import { init, track } from '@eventline/sdk'; init({ writeKey: 'k', endpoint: 'https://x' }); track('a');");
    expect(clientOnly).toContain('/v1/batch'); // the client itself is there
    expect(clientOnly).not.toContain(DEFAULT_INSTANCE);
    expect(pageWide).toContain(DEFAULT_INSTANCE);
  }, 60_000);
});
