import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['libs/*/src/**/*.test.ts', 'libs/*/test/**/*.test.ts', 'services/*/src/**/*.test.ts',
              'services/*/test/**/*.test.ts', 'tests/e2e/**/*.test.ts', 'tests/deploy/**/*.test.ts',
              'tests/architecture/**/*.test.ts'],
    // own stage: `npm run test:containers` (vitest.containers.config.ts)
    exclude: [...configDefaults.exclude, 'tests/containers/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    // `npm test` (scripts/runTests.ts) adds the JSON report test-results/<stage>.json and sums the stages
  },
});
