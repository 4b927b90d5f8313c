import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig([
  // npm: ESM + CJS + types. `index` is the browser entry (safe to import during SSR), `node` the Node one.
  tsupBase({
    entry: { index: 'src/index.ts', node: 'src/node.ts', 'react-native': 'src/react-native.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2020',
  }),
  // <script> build: one minified file that sets window.eventline. Not cleaned here: the build above does it.
  tsupBase({
    entry: { 'eventline.iife': 'src/iife.ts' },
    format: ['iife'],
    platform: 'browser',
    target: 'es2021', // ??= kept as is; every browser with Web Locks/CompressionStream has it
    // terser squeezes ~7 % more than esbuild's minifier out of the gzip budget (measured: 9973 → 9331 B).
    minify: 'terser',
    terserOptions: { ecma: 2020, format: { comments: false }, toplevel: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true } },
    dts: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
  }),
]);
