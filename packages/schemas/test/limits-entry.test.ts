import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, LIMITS, SCHEMA_VERSION } from '../src';

// `@eventline/schemas/limits` as built (the turbo test task builds first): the same values as the
// package root, with nothing imported, so TypeBox is never loaded for them.
const dist = new URL('../dist/', import.meta.url);

describe('@eventline/schemas/limits', () => {
  it('holds the root\'s constants, in its ES module and its CommonJS file', async () => {
    const esm = (await import(new URL('limits.js', dist).href)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(new URL('limits.cjs', dist).pathname) as Record<string, unknown>;
    for (const entry of [esm, cjs]) expect(entry).toMatchObject({ LIMITS, EVENT_TYPES, SCHEMA_VERSION });
  });

  it('imports no module at all (no TypeBox)', async () => {
    for (const file of ['limits.js', 'limits.cjs']) {
      const code = await readFile(new URL(file, dist), 'utf8');
      expect(code).not.toMatch(/\bimport\b|\brequire\(|typebox/i);
    }
  });

  it('is what package.json exports as ./limits', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./limits']).toEqual({
      import: { types: './dist/limits.d.ts', default: './dist/limits.js' },
      require: { types: './dist/limits.d.cts', default: './dist/limits.cjs' },
    });
  });
});
