import { defineConfig } from 'vitest/config';

/*
 * The e2e tier: the production dashboard in headless Chromium against the local stack, and the
 * `npm start` lifecycle. One `next build` (globalSetup, skipped when fresh) serves every file.
 * Files run one at a time: each starts a stack, `next start` and Chromium, which is what two
 * cores can carry without turning timing-sensitive UI waits flaky.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    globalSetup: ['tests/e2e/_build.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
