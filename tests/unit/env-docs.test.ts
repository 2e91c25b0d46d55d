import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/local-stack.md', () => {
  it('documents every PUBDEV_* variable the stack reads, with a default', async () => {
    const config = await read('local-stack/config.ts');
    const docs = await read('docs/local-stack.md');
    const variables = [...new Set(config.match(/PUBDEV_[A-Z_]+/g))].sort();
    expect(variables.length).toBeGreaterThan(10);
    const undocumented = variables.filter(
      (name) =>
        !new RegExp(`^\\| \`${name}\`(?: / \`PUBDEV_[A-Z_]+\`)? \\| [^|]+ \\|`, 'm').test(docs) &&
        !new RegExp(`\\| \`PUBDEV_[A-Z_]+\` / \`${name}\` \\|`, 'm').test(docs),
    );
    expect(undocumented).toEqual([]);
  });
});
