import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledPackages, thirdPartyNotice } from './third-party-licenses';

export interface BundleLambdaOptions {
  /** The package's Lambda entry (`src/lambda.ts`); esbuild compiles the TypeScript. */
  entry: string;
  /**
   * Folder to write `index.mjs`, `index.mjs.map`, the licence comments esbuild found (`index.mjs.LEGAL.txt`)
   * and every bundled package's licence (`THIRD-PARTY-LICENSES.txt`) into (earlier ones replaced): zip its content.
   */
  outdir: string;
}

/**
 * Node's ESM has no `require`, but the AWS SDK v3 and other CommonJS dependencies call it once
 * bundled into an `.mjs` file ("Dynamic require of "util" is not supported" at cold start). The
 * banner gives the module a real `require`, under names no bundled module can collide with.
 */
const ESM_REQUIRE_BANNER = [
  "import { createRequire as __eventlineCreateRequire } from 'node:module';",
  'const require = __eventlineCreateRequire(import.meta.url);',
].join('\n');

/**
 * One self-contained ESM file for the Node.js Lambda runtime: every dependency, the AWS SDK
 * included, is bundled (pinned to the tested versions rather than the runtime's copy). Minified
 * with names kept, so named errors keep their names; the source map serves stack traces when the
 * function runs with `NODE_OPTIONS=--enable-source-maps`. Returns the path of `index.mjs`.
 */
export async function bundleLambda({ entry, outdir }: BundleLambdaOptions): Promise<string> {
  const outfile = join(outdir, 'index.mjs');
  // Only the files a bundle consists of: a stale one of an earlier run must not reach the zip.
  const notice = join(outdir, 'THIRD-PARTY-LICENSES.txt');
  await Promise.all([...['', '.map', '.LEGAL.txt'].map((suffix) => `${outfile}${suffix}`), notice].map((file) => rm(file, { force: true })));
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  // esbuild keeps only comments marked @license/@preserve: most packages' licences (MIT, Apache-2.0 and
  // others ask for their notice to travel with the code) live in their LICENSE files instead.
  await writeFile(notice, thirdPartyNotice(await bundledPackages(Object.keys(result.metafile.inputs), process.cwd())));
  return outfile;
}
