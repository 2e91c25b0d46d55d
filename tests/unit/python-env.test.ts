/**
 * The venv rules of `npm start` and `npm test` (scripts/lib/python-env.ts) without pip: which
 * interpreter is accepted, the one message when Python is missing or too old, and when a venv is
 * reused (its stamp matches agents/requirements.txt and agents/pyproject.toml) or made again.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython, PythonMissingError, venvDirOf, venvIsCurrent } from '../../scripts/lib/python-env.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'pubdev-python-env-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in interpreter that answers the version probe with `version` (only the probe runs). */
function interpreterSaying(version: string): string {
  const file = path.join(scratch, `python-${version}`);
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('findPython', () => {
  it('accepts the machine’s python3 (3.10 or newer, with venv)', () => {
    expect(findPython({ ...process.env, PUBDEV_PYTHON: '' })).toBe('python3');
  });

  it('says what to install, with exit code 3, when Python is missing or too old', () => {
    const missing = path.join(scratch, 'no-python');
    const error = (() => {
      try {
        findPython({ ...process.env, PUBDEV_PYTHON: missing });
        return null;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PythonMissingError);
    expect((error as PythonMissingError).exitCode).toBe(3);
    expect((error as Error).message).toBe(
      `Python 3 was not found ("${missing}"): the demo agent and the agents' tests need it. Install Python 3.10 or ` +
        'newer with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python), ' +
        'or set PUBDEV_PYTHON to its path.',
    );
    expect(() => findPython({ ...process.env, PUBDEV_PYTHON: interpreterSaying('3.8') })).toThrow(
      /is Python 3\.8; the agents package needs 3\.10 or newer/,
    );
    expect(findPython({ ...process.env, PUBDEV_PYTHON: interpreterSaying('3.12') })).toMatch(/python-3\.12$/);
  });
});

describe('venvIsCurrent', () => {
  it('is true only for a venv stamped from the current requirement files', () => {
    const root = path.join(scratch, 'tree');
    mkdirSync(path.join(root, 'agents'), { recursive: true });
    writeFileSync(path.join(root, 'agents/requirements.txt'), 'supabase==2.31.0\n');
    writeFileSync(path.join(root, 'agents/pyproject.toml'), '[project]\nname = "pubdev-agents"\n');
    const env = { PUBDEV_VENV: 'venv' };
    expect(venvDirOf(root, env)).toBe(path.join(root, 'venv'));
    expect(venvDirOf(root, {})).toBe(path.join(root, '.venv'));
    expect(venvIsCurrent(root, env)).toBe(false); // no venv
    mkdirSync(path.join(root, 'venv/bin'), { recursive: true });
    writeFileSync(path.join(root, 'venv/bin/python'), '');
    expect(venvIsCurrent(root, env)).toBe(false); // made by hand, never stamped
    // The stamp ensurePythonVenv writes: the sha256 of both files, each prefixed by its path.
    const hash = createHash('sha256');
    for (const file of ['agents/requirements.txt', 'agents/pyproject.toml'])
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(path.join(root, file)));
    writeFileSync(path.join(root, 'venv/pubdev-requirements.sha256'), `${hash.digest('hex')}\n`);
    expect(venvIsCurrent(root, env)).toBe(true);
    writeFileSync(path.join(root, 'agents/requirements.txt'), 'supabase==2.32.0\n');
    expect(venvIsCurrent(root, env)).toBe(false); // a pin changed: made again
  });
});
