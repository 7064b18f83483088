import { defineConfig } from 'vitest/config';

/**
 * `npm run test:bench`: the benchmark kit's own tests (how a benchmark refuses a figure; a few seconds, no infra), and
 * the k6 scripts run through the k6-API shim against the distributed system (deploy/k6/k6Shim.test.ts).
 */
export default defineConfig({
  test: {
    include: ['scripts/bench/**/*.test.ts', 'deploy/k6/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/bench.json' }]] : ['default'],
  },
});
