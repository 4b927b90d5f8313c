import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(
  tsupBase({
    entry: { index: 'src/index.ts', node: 'src/node.ts', lambda: 'src/lambda.ts', 'query-cli': 'src/query/cli.ts', 'catalog-cli': 'src/catalog-cli.ts' },
    // Native modules: each must load its own .node binary at run time, never be bundled.
    external: ['@duckdb/node-api', 'classic-level'],
  }),
);
