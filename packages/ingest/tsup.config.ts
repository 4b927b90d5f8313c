import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(
  tsupBase({
    // The fuzz harness (fuzz/) is a dev tool run from source (`npm run fuzz`, the tests): it is not built or shipped.
    entry: { index: 'src/index.ts', node: 'src/node.ts', lambda: 'src/lambda.ts' },
  }),
);
