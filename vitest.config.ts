import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The seed's import path for the hooks (tsconfig.json `paths` says the same for the compiler).
    alias: {
      '@/lib/websocket/hooks': fileURLToPath(new URL('./src/react/index.ts', import.meta.url)),
      '@/lib/websocket/server': fileURLToPath(new URL('./src/server/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // The e2e tier needs a production build and Chromium: `npm run test:e2e` (vitest.e2e.config.ts);
    // the reliability tier runs its files one at a time: `npm run test:reliability`.
    exclude: [...configDefaults.exclude, 'tests/e2e/**', 'tests/reliability/**'],
    globalSetup: ['tests/_global-setup.ts'],
    // PGlite takes ~2 s to boot and each DB suite owns one; the machines have two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
