import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig([
  // npm: ESM + CJS + types. `index` is the browser entry (safe to import during SSR), `node` the Node one.
  tsupBase({
    entry: { index: 'src/index.ts', node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2020',
  }),
  // <script> build: one minified file that sets window.eventline. Not cleaned here: the build above does it.
  tsupBase({
    entry: { 'eventline.iife': 'src/iife.ts' },
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    dts: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
  }),
]);
