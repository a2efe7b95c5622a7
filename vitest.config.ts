import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Checks over an external folder of capabilities: `npm run test:corpus [-- <folder>]`.
    exclude: ['**/node_modules/**', 'test/**/*.corpus.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start servers and child processes; two cores run two files at a time.
    maxWorkers: 2,
  },
});
