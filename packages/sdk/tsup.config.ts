import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

/** Members of the core's internal objects (platform seams, queue, delivery, state writer, options). */
const INTERNAL_NAMES = new RegExp(
  `^(${[
    'storage', 'transport', 'randomBytes', 'gzip', 'beacon', 'lifecycle', 'lock', 'syncStore', 'landing', 'onRouteChange', 'whenShown',
    'setMany', 'removeMany', 'chosen', 'make', 'onFallback',
    'attempted', 'saved', 'reload', 'scan', 'list', 'maxCount', 'maxBytes', 'maxAgeMs', 'onDrop', 'onError',
    'unload', 'resume', 'enqueued', 'wake', 'cfg', 'platform', 'queue', 'emitter', 'isSender', 'poll',
    'save', 'settled', 'draft', 'run', 'reserve', 'take', 'prime', 'send', 'remove',
    'fragile', 'onStored', 'emit', 'stop', 'fail', 'optedOut', 'utf8Length', 'callWith', 'drop', 'known',
  ].join('|')})$`,
);

export default defineConfig([
  // npm: ESM + CJS + types. `index` is the browser entry (safe to import during SSR), `node` the Node one.
  tsupBase({
    entry: { index: 'src/index.ts', node: 'src/node.ts', 'react-native': 'src/react-native.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2020',
    define: { __SCRIPT_BUILD__: 'false' },
  }),
  // <script> build: one minified file that sets window.eventline. Not cleaned here: the build above does it.
  tsupBase({
    entry: { 'eventline.iife': 'src/iife.ts' },
    format: ['iife'],
    platform: 'browser',
    target: 'es2020', // no down-level helpers: every browser with Web Locks/CompressionStream runs ES2020 as is
    // Code the npm builds carry and this one goes without (src/core/build-flags.d.ts).
    define: { __SCRIPT_BUILD__: 'true' },
    // terser squeezes more than esbuild's minifier out of the gzip budget (README, "Budgets"; BENCHMARKS.md).
    minify: 'terser',
    // esbuild's syntax pass first leaves terser a shape it compresses further (−68 B gzip, measured).
    minifySyntax: true,
    terserOptions: {
      // terser's own map, which tsup chains onto esbuild's: without it the shipped .map was esbuild's map
      // of the unminified bundle (1147 lines) applied to the one-line file, so devtools mapped nothing right.
      sourceMap: true,
      ecma: 2020,
      toplevel: true,
      format: { comments: false },
      // `unsafe*` hold for this code: no getters with side effects on our objects, no `==` on objects,
      // no reliance on `undefined` being shadowed, no lossy math.
      compress: { passes: 4, hoist_funs: true, pure_getters: true, unsafe: true, unsafe_arrows: true, unsafe_comps: true, unsafe_math: true, unsafe_symbols: true, unsafe_undefined: true },
      // Internal-only member names, renamed consistently inside the bundle. Never a public API name
      // (config, client methods, notices, plugins), a wire-format key, or a key written to storage
      // (state, queue entries, leases): those must not change between builds.
      // `builtins: true`: names on the list are renamed even where terser knows a DOM property of that name
      // (`storage`, `reload`, `kind`, …); none of them is read from a browser object here.
      mangle: { properties: { regex: INTERNAL_NAMES, builtins: true } },
    },
    dts: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
  }),
]);
