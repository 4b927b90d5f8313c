import { defineConfig } from 'vitest/config';
// The npm builds' code paths (src/core/build-flags.d.ts).
export default defineConfig({ define: { __SCRIPT_BUILD__: 'false' }, test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } });
