import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup-logging.ts'],
    // Suites start Temporal servers and workers: one file at a time, each in its own process.
    pool: 'forks',
    fileParallelism: false,
    // Sized for a loaded 2-core machine. A hook's start-ups have deadlines of their own inside this
    // one (dev/harness/started.ts), so a slow start fails naming the service, not "hook timed out".
    testTimeout: 240_000,
    hookTimeout: 360_000,
    // CI also writes a JSON report; .ci/run prints its plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-output/results.json' }]] : ['default'],
  },
});
