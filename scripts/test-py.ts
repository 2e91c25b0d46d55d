/**
 * `npm run test:py [-- pytest args]`: the agents' pytest suite, in the venv made (or reused) by
 * scripts/lib/python-env.ts. Exits with pytest's code, or 3 with one message when Python is missing.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv, PythonMissingError } from './lib/python-env.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<number> {
  const python = await ensurePythonVenv(root);
  const pytest = spawn(python, ['-m', 'pytest', ...process.argv.slice(2)], {
    cwd: path.join(root, 'agents'),
    stdio: 'inherit',
  });
  // Ctrl-C reaches pytest through the terminal's process group; SIGTERM from a runner is passed on.
  process.on('SIGTERM', () => pytest.kill('SIGTERM'));
  return new Promise((resolve) => pytest.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[python] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof PythonMissingError ? error.exitCode : 1);
  },
);
