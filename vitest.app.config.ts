import { defineConfig } from 'vitest/config';

/** The plan view (MCP App) in headless Chromium: its own stage (scripts/testStages.ts), so its time is budgeted. */
export default defineConfig({
  test: {
    include: ['tests/app/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
