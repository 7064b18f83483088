import { defineConfig } from 'vitest/config';

/** The fault suite (tests/faults): its own Postgres, Redis and NATS, one file, run alone (`npm run test:faults`). */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/faults.json' }]] : ['default'],
  },
});
