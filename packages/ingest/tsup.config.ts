import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(
  tsupBase({
    entry: { index: 'src/index.ts', node: 'src/node.ts', lambda: 'src/lambda.ts', fuzz: 'fuzz/harness.ts' },
    // The fuzz harness (a dev tool for `npm run chaos`) uses dev dependencies; they stay imports.
    external: ['@eventline/devstack', 'fast-check'],
  }),
);
