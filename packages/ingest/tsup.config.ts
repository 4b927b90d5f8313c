import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(tsupBase({ entry: ['src/index.ts', 'src/node.ts', 'src/lambda.ts'] }));
