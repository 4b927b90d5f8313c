import { defineConfig } from 'vitest/config';

// These tests run the whole pipeline (emulator, ingest, processor, Chromium) on a 2-core machine that
// CI shares with other packages' tests; a slow moment is waited out, never asserted on.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } });
