import { defineConfig } from 'vitest/config';

// The short accounting run brings up the whole pipeline and Chromium on a 2-core machine that CI shares
// with other packages' tests; it takes about 40 s, and the timeout only catches a hang.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 150_000, hookTimeout: 60_000 } });
