import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One bundled npm package: what its package.json says and the text of its licence file, if it ships one. */
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  text: string | undefined;
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/**
 * The npm packages whose files a bundle holds, from esbuild's metafile inputs (paths relative to the
 * working folder): each file's package is its last `node_modules/<name>` or `node_modules/@scope/name`.
 * Workspace packages (linked, outside node_modules) are this project's own and are not listed.
 */
export async function bundledPackages(inputs: Iterable<string>, cwd: string): Promise<BundledPackage[]> {
  const roots = new Set<string>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
    if (match) roots.add(match[1]!);
  }
  const found = await Promise.all([...roots].map((root) => readPackage(join(cwd, root))));
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

async function readPackage(dir: string): Promise<BundledPackage> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: unknown };
  const files = (await readdir(dir)).filter((f) => LICENSE_FILE.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  return {
    name: manifest.name ?? dir,
    version: manifest.version ?? '?',
    license: typeof manifest.license === 'string' ? manifest.license : 'see its package',
    text: texts.length > 0 ? texts.join('\n\n') : undefined,
  };
}

/** The notice file shipped next to a bundle: every package with its licence text (or, without one, its declared licence). */
export function thirdPartyNotice(packages: readonly BundledPackage[]): string {
  const header = `Third-party software in this bundle (${packages.length} npm packages), with their licences.\n`;
  const parts = packages.map((p) => {
    const title = `${p.name}@${p.version} — ${p.license}`;
    return `${'='.repeat(72)}\n${title}\n${'='.repeat(72)}\n${p.text?.trim() ?? `(the package ships no licence file; its package.json declares ${p.license})`}\n`;
  });
  return [header, ...parts].join('\n');
}
