import type { Options } from 'tsup';

/**
 * One tsup base for every package: ESM (and CJS where a package is a library others
 * `require`), type declarations, source maps, and no minification for server code.
 */
export function tsupBase(overrides: Options = {}): Options {
  return {
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
