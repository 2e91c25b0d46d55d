/**
 * The layering of docs/architecture.md is enforced by ESLint (eslint/boundaries.js): each
 * deliberately wrong import of the fixture fails lint with `import-x/no-restricted-paths` and a
 * message naming the boundary, and the legal imports beside them pass.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { LEGAL_IMPORTS, WRONG_IMPORTS } from './fixtures/wrong-imports.ts';

const eslint = new ESLint();
const lint = async (as: string, code: string) => {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: as });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths');
};

describe('import boundaries', () => {
  it.each(WRONG_IMPORTS)('refuses $code in $as', async ({ as, code, names }) => {
    const messages = await lint(as, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.severity).toBe(2);
    expect(messages[0]?.message).toContain(names);
  });

  it.each(LEGAL_IMPORTS)('allows $code in $as', async ({ as, code }) => {
    expect(await lint(as, code)).toEqual([]);
  });
});
