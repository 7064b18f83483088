import { defineConfig } from 'vitest/config';

/** `npm run test:bench`: the benchmark kit's own tests (how a benchmark refuses a figure); a few seconds, no infra. */
export default defineConfig({
  test: {
    include: ['scripts/bench/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/bench.json' }]] : ['default'],
  },
});
