import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(tsupBase({ entry: ['src/index.ts', 'src/limits.ts'], format: ['esm', 'cjs'], platform: 'neutral' }));
