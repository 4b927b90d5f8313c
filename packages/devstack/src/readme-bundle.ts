import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

export interface ReadmeBundle {
  /** The command as the README gives it (the shell block holding `esbuild`). */
  command: string;
  /** The bundle, copied alone into a folder of its own: what a deployment zips. */
  bundle: string;
  /** Removes both temporary folders. */
  cleanup(): Promise<void>;
}

const SHELL_BLOCK = /```sh\n([\s\S]*?)```/g;

/** The one `sh` block of a README that runs esbuild; an error if there is none or more than one. */
function readmeEsbuildCommand(readme: string): string {
  const blocks = [...readme.matchAll(SHELL_BLOCK)].map((m) => m[1] ?? '').filter((code) => /\besbuild\s/.test(code));
  if (blocks.length !== 1) throw new Error(`expected exactly one \`\`\`sh block running esbuild in the README, found ${blocks.length}`);
  return blocks[0]!.trim();
}

/**
 * Runs a package's README esbuild command the way a consumer would after `npm install <package>`
 * and `npm install -D esbuild`: in a fresh project folder whose node_modules holds the package (a
 * link to its folder, as npm links a workspace) and this repository's esbuild. npm runs offline, so
 * `npx` can only use that esbuild, never fetch one. The bundle is then copied alone into another
 * folder, so that loading it can resolve nothing through node_modules.
 */
export async function bundleFromReadme(packageDir: string): Promise<ReadmeBundle> {
  const [readme, manifest] = await Promise.all([readFile(join(packageDir, 'README.md'), 'utf8'), readFile(join(packageDir, 'package.json'), 'utf8')]);
  const command = readmeEsbuildCommand(readme);
  const outfile = /--outfile=(\S+)/.exec(command)?.[1];
  if (!outfile) throw new Error(`the README's esbuild command names no --outfile: ${command}`);
  const { name } = JSON.parse(manifest) as { name: string };
  const project = await mkdtemp(join(tmpdir(), 'eventline-consumer-'));
  const zipDir = await mkdtemp(join(tmpdir(), 'eventline-zip-'));
  const cleanup = async (): Promise<void> => {
    // Only links point out of the project folder; rm removes a link, never what it points at.
    await Promise.all([project, zipDir].map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    const esbuildDir = dirname(createRequire(join(packageDir, 'package.json')).resolve('esbuild/package.json'));
    const modules = join(project, 'node_modules');
    // The scope folder (`@eventline`) and the one npm keeps command links in.
    await Promise.all([join(modules, dirname(name)), join(modules, '.bin')].map((dir) => mkdir(dir, { recursive: true })));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { [name]: '*' } }));
    await Promise.all([
      symlink(packageDir, join(modules, name), 'dir'),
      symlink(esbuildDir, join(modules, 'esbuild'), 'dir'),
      symlink(join(esbuildDir, 'bin', 'esbuild'), join(modules, '.bin', 'esbuild')),
    ]);
    await promisify(execFile)('sh', ['-c', command], { cwd: project, env: { ...process.env, npm_config_offline: 'true', npm_config_yes: 'false' } });
    const bundle = join(zipDir, basename(outfile));
    await copyFile(join(project, outfile), bundle);
    return { command, bundle, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
