import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What a consumer gets from `npm install` of each publishable package: `npm pack --dry-run` lists the
 * tarball's files without writing it. Run after the packages' builds (turbo.json: this task depends
 * on them), since `dist/` is most of what ships.
 */
const PUBLISHED = ['schemas', 'sdk', 'ingest', 'processor'];

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  repository?: { url?: string; directory?: string };
  publishConfig?: { access?: string };
  main?: string;
  module?: string;
  types?: string;
  unpkg?: string;
  bin?: Record<string, string>;
  exports: Record<string, unknown>;
}

interface PackResult {
  files: { path: string }[];
}

const packageDir = (name: string): string => fileURLToPath(new URL(`../../${name}/`, import.meta.url));

/** Every path a manifest promises: main, module, types, unpkg, bin, and each leaf of exports. */
function promisedPaths(manifest: Manifest): string[] {
  const leaves: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') leaves.push(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  const fields = [manifest.main, manifest.module, manifest.types, manifest.unpkg, ...Object.values(manifest.bin ?? {})];
  return [...leaves, ...fields.filter((path): path is string => path !== undefined)].map((path) => posix.normalize(path));
}

/** A promised path is shipped if the tarball holds it; `dist/json-schema/*` if it holds one file under it. */
function ships(files: ReadonlySet<string>, path: string): boolean {
  if (!path.includes('*')) return files.has(path);
  const [prefix = '', suffix = ''] = path.split('*');
  return [...files].some((file) => file.startsWith(prefix) && file.endsWith(suffix));
}

/** Targets of the README's Markdown links that are neither URLs nor anchors, folder-relative. */
function relativeLinks(readme: string): string[] {
  return [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe.each(PUBLISHED)('the npm tarball of packages/%s', (name) => {
  const dir = packageDir(name);
  const manifest = JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as Manifest;
  let files: Set<string>;
  beforeAll(async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir });
    const [result] = JSON.parse(stdout) as PackResult[];
    files = new Set(result!.files.map((file) => file.path));
  }, 60_000);

  it('holds every file its package.json points at (exports, main, types, bin)', () => {
    const missing = promisedPaths(manifest).filter((path) => !ships(files, path));
    expect(missing, `${manifest.name}: not in the tarball (built?)`).toEqual([]);
  });

  it('holds its LICENSE and README, and no tests, sources, fixtures or dev scripts', () => {
    expect(files.has('LICENSE')).toBe(true);
    expect(files.has('README.md')).toBe(true);
    const leaked = [...files].filter((path) => /(^|\/)(test|tests|__tests__|fixtures|src|bench|fuzz|scripts|snippet|lambda-bundle)\//.test(path) || /\.test\.[cm]?[jt]s$/.test(path));
    expect(leaked).toEqual([]);
  });

  it('links from its README only to files that ship (others are repository URLs)', async () => {
    const readme = await readFile(`${dir}README.md`, 'utf8');
    const broken = relativeLinks(readme).filter((target) => !files.has(posix.normalize(target)));
    expect(broken).toEqual([]);
  });

  it('is publishable: public, licensed, with engines and a repository folder', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('MIT');
    expect(manifest.engines?.node).toBe('>=20');
    expect(manifest.repository?.directory).toBe(`packages/${name}`);
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.exports['./package.json']).toBe('./package.json');
  });

  it('gives each command a Node shebang and a target that ships', async () => {
    for (const bin of Object.values(manifest.bin ?? {})) {
      const code = await readFile(`${dir}${bin}`, 'utf8');
      expect(code.startsWith('#!/usr/bin/env node\n'), bin).toBe(true);
      const target = /^import '(\.\.\/[^']+)';$/m.exec(code)?.[1];
      expect(target, `${bin} imports its entry`).toBeDefined();
      expect(files.has(posix.join(posix.dirname(posix.normalize(bin)), target!)), `${bin} → ${target}`).toBe(true);
    }
  });
});

describe('the commands', () => {
  it('are the ones the READMEs document', () => {
    const bins = (name: string): string[] => Object.keys((JSON.parse(readFileSync(`${packageDir(name)}package.json`, 'utf8')) as Manifest).bin ?? {});
    expect(bins('ingest')).toEqual(['eventline-ingest']);
    expect(bins('processor')).toEqual(['eventline-processor', 'eventline-query', 'eventline-catalog']);
    for (const name of ['ingest', 'processor']) {
      const readme = readFileSync(`${packageDir(name)}README.md`, 'utf8');
      expect(readme).toContain('## Install and run');
      for (const bin of bins(name)) expect(readme, `${name} README names ${bin}`).toContain(bin);
    }
  });
});
