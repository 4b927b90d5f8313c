import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Resolvers without package "exports" (Metro before 0.82 or with exports off, TypeScript's
 * moduleResolution node10) find `@eventline/sdk/<subpath>` only as a folder with a package.json.
 * Each subpath export has one, pointing at what the build makes (the files must exist: run after build).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  name: string;
  files: string[];
  exports: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>;
};
/** The entry subpaths ('./node', './react-native'), not '.' and not single files ('./package.json'). */
const subpaths = Object.entries(pkg.exports).flatMap(([key, target]) => (key !== '.' && typeof target === 'object' ? [[key.slice(2), target] as const] : []));

describe('subpath stubs for resolvers without "exports"', () => {
  it('covers the entries there are', () => {
    expect(subpaths.map(([name]) => name).sort()).toEqual(['node', 'react-native']);
  });

  it.each(subpaths)('%s/package.json points where "exports" does, at built files, and is published', (name, target) => {
    const stubPath = `${root}${name}/package.json`;
    expect(existsSync(stubPath)).toBe(true);
    const stub = JSON.parse(readFileSync(stubPath, 'utf8')) as { main: string; module: string; types: string };
    const fromStub = (file: string) => resolve(root, name, file);
    const fromPackage = (file: string) => resolve(root, file);
    expect(fromStub(stub.main)).toBe(fromPackage(target.require.default));
    expect(fromStub(stub.module)).toBe(fromPackage(target.import.default));
    expect(fromStub(stub.types)).toBe(fromPackage(target.import.types));
    for (const file of [stub.main, stub.module, stub.types]) expect(existsSync(fromStub(file)), `${name}/${file}`).toBe(true);
    expect(pkg.files).toContain(name);
  });

  it.each(subpaths)("TypeScript's moduleResolution node10 (no exports) resolves %s to its built types", (name, target) => {
    const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10 };
    // From the repository root, through node_modules/@eventline/sdk (the workspace link to this package).
    const resolved = ts.resolveModuleName(`${pkg.name}/${name}`, resolve(root, '../../probe.ts'), options, ts.sys).resolvedModule;
    expect(resolved && ts.sys.realpath?.(resolved.resolvedFileName)).toBe(resolve(root, target.import.types));
  });
});
