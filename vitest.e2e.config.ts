import { defineConfig } from 'vitest/config';

// Browser and desktop end-to-end tests: real core, real simulators, real Chromium (and Electron where installed).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', ['json', { outputFile: 'test-results/e2e.json' }]],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
