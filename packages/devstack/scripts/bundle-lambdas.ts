import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { bundleLambda } from '../src/index';

/**
 * The root `npm run bundle:lambda`: each package's Lambda entry as one `index.mjs` in
 * `packages/<name>/lambda-bundle/`, ready to zip for the Node.js runtime (handler `index.<export>`).
 */
const root = resolve(import.meta.dirname, '../../..');
const PACKAGES = [
  { dir: 'packages/ingest', handlers: ['handler'] },
  { dir: 'packages/processor', handlers: ['kinesisHandler', 'firehoseHandler'] },
];

for (const { dir, handlers } of PACKAGES) {
  const outfile = await bundleLambda({ entry: resolve(root, dir, 'src/lambda.ts'), outdir: resolve(root, dir, 'lambda-bundle') });
  const kib = (statSync(outfile).size / 1024).toFixed(0);
  console.log(`${relative(root, outfile)} (${kib} KiB): handler ${handlers.map((h) => `index.${h}`).join(' or ')}`);
}
