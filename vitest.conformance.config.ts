import { defineConfig } from 'vitest/config';

/**
 * The conformance stage (tests/conformance): the official MCP conformance suite 0.2 against `npm start` with the
 * fixtures on, for 2025-11-25 and 2026-07-28 (scripts/conformance.sh), judged against tests/conformance/baseline.json.
 * Run alone: `npx vitest run -c vitest.conformance.config.ts`; `npm run conformance` runs the suite without vitest.
 */
export default defineConfig({
  test: {
    include: ['tests/conformance/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
