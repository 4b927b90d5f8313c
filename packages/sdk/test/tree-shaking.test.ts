import { build } from 'esbuild';
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
  });

  it('importing the page-wide API does bring it in (the check above can fail)', async () => {
    const out = await bundle("import { init, track } from '@eventline/sdk'; init({ writeKey: 'k', endpoint: 'https://x' }); track('a');");
    expect(out).toContain(DEFAULT_INSTANCE);
  });
});
