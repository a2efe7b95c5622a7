import { defineConfig } from 'vitest/config';

// `npm run test:corpus` (test/run-corpus.mjs): the checks over a whole external folder of capabilities.
export default defineConfig({
  test: {
    include: ['test/**/*.corpus.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
  },
});
