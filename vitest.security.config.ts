import { defineConfig } from 'vitest/config';

/**
 * The security stage: the property-based route-policy suite and the security regressions (tests/security). Run
 * with `npm run test:security` (CI form, 6,000 generated requests per run mode) or in full under `npm run test:full`
 * (SECURITY_FUZZ_REQUESTS=25000).
 */
export default defineConfig({
  test: {
    include: ['tests/security/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/security.json' }]] : ['default'],
  },
});
