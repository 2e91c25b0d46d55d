import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The e2e tier needs a production build and Chromium: `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'tests/e2e/**'],
    globalSetup: ['tests/_global-setup.ts'],
    // PGlite takes ~2 s to boot and each DB suite owns one; the machines have two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
