import { defineConfig } from 'vitest/config';

// `npm run test:containers`: the images built and the compose system run with podman (tests/containers). Its own
// stage: it installs podman from Debian when missing, builds images and takes minutes, so the root config excludes it.
export default defineConfig({
  test: {
    include: ['tests/containers/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/containers.json' }]] : ['default'],
  },
});
