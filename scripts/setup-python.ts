/**
 * `npm run setup:py`: makes (or reuses) the Python venv with the agents package
 * (scripts/lib/python-env.ts). `npm start`, `npm run test:py` and the e2e tier do the same by
 * themselves; CI calls it up front so the install is not counted against a tier's time limit.
 */
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv, PythonMissingError } from './lib/python-env.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

ensurePythonVenv(root).then(
  (python) => console.log(`[python] ${python}`),
  (error: unknown) => {
    console.error(`[python] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof PythonMissingError ? error.exitCode : 1);
  },
);
