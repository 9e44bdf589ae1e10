import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** Every suite (`npm run test:all`, CI); vitest.fast.config.ts is the fast loop (`npm test`). */
export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the libraries; the tests must share that one instance.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/progress-reporter.ts'],
  },
});
