import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface BundleLambdaOptions {
  /** The package's Lambda entry (`src/lambda.ts`); esbuild compiles the TypeScript. */
  entry: string;
  /** Folder to write `index.mjs`, `index.mjs.map` and the bundled licences (`index.mjs.LEGAL.txt`) into (earlier ones replaced): zip its content for the function. */
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
  await Promise.all(['', '.map', '.LEGAL.txt'].map((suffix) => rm(`${outfile}${suffix}`, { force: true })));
  await build({
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
  });
  return outfile;
}
