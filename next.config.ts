import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const root = path.dirname(fileURLToPath(import.meta.url));

/*
 * RATIONALE:
 * - `typescript.tsconfigPath`: Next rewrites the tsconfig it compiles with (jsx, plugins,
 *   next-env.d.ts). It gets its own file, tsconfig.next.json, so tsconfig.json stays the strict
 *   NodeNext configuration that `npm run typecheck` runs over the whole repository.
 * - `typescript.ignoreBuildErrors`: that typecheck is the one source of type errors; running
 *   Next's second, differently configured check would only slow `next build` down.
 * - `outputFileTracingRoot`/`turbopack.root`: node_modules may be a symlink to a shared install;
 *   pinning the root keeps Next from guessing a parent directory as the workspace.
 */
const config: NextConfig = {
  typescript: { ignoreBuildErrors: true, tsconfigPath: 'tsconfig.next.json' },
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
