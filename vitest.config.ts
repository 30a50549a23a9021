import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/providers/**/*.test.ts',
      'test/hub/**/*.test.ts',
    ],
    globalSetup: ['test/hub/globalSetup.ts'],
    environment: 'node',
    reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two files at a time: most of a file's time is spent waiting on sockets and timers, not on a CPU.
    maxWorkers: 2,
  },
});
