import { defineConfig } from 'vitest/config';

/*
 * The reliability tier (tests/reliability): network faults through a TCP proxy, PostgreSQL
 * restarts under the running stack, kill -9 with writes in flight, and a one-minute soak. Files
 * run one at a time: each drives hundreds of sockets or kills processes, and timing assertions
 * (heartbeats, reconvergence) mean nothing on a machine the next file is also loading.
 */
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.reliability.test.ts'],
    globalSetup: ['tests/_global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
