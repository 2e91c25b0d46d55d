/**
 * The repository stands alone: nothing it tracks points outside it. Three checks over the files
 * git tracks: no path leaving the repository (and none of the background notes that were never
 * part of it), every relative Markdown link resolves to a file or folder here, and every protocol
 * citation (section sign + number) names a heading of docs/realtime-protocol.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROTOCOL_DOC = 'docs/realtime-protocol.md';
const SECTION = '\u00a7';

/** Generated, or holding registry URLs and package paths that are not ours to word. */
const EXCLUDED = new Set(['package-lock.json']);
const TEXT_FILE =
  /\.(ts|tsx|js|mjs|cjs|py|sql|md|toml|ya?ml|json|sh|txt|html|css)$|(^|\/)(Dockerfile|\.gitignore|run)$/;

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && !EXCLUDED.has(f) && TEXT_FILE.test(f) && existsSync(join(ROOT, f)));
}

const FILES = trackedFiles();
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Finding {
  file: string;
  line: number;
  text: string;
}

function scan(files: readonly string[], find: (line: string, file: string) => readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    read(file)
      .split('\n')
      .forEach((line, index) => {
        for (const text of find(line, file)) findings.push({ file, line: index + 1, text });
      });
  }
  return findings;
}

// ── 1. Paths and notes outside the repository ──

const OUTSIDE = [
  /\.\.\/shared\b/g,
  /\/work\/(?:shared|wt|main)\b/g,
  /\b(?:DESIGN|LESSONS|STYLE|MACHINE)\.md\b/g,
  /\breference\/supabase-realtime-protocol\.md\b/g,
];

// ── 2. Relative Markdown links ──

/** Drops fenced code blocks and inline code, where brackets are code, not links. */
function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

function brokenLinks(file: string): Finding[] {
  const findings: Finding[] = [];
  const lines = proseOf(read(file)).split('\n');
  lines.forEach((line, index) => {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // URL or same-page anchor
      const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
      const absolute = path.startsWith('/') ? join(ROOT, path) : resolve(ROOT, dirname(file), path);
      const inside = !relative(ROOT, absolute).startsWith(`..${sep}`) && relative(ROOT, absolute) !== '..';
      if (!inside || !existsSync(absolute)) findings.push({ file, line: index + 1, text: target });
    }
  });
  return findings;
}

// ── 3. Protocol citations ──

/** The section numbers docs/realtime-protocol.md has headings for (`## §3 …`, `### §3.4 …`). */
function protocolSections(): Set<string> {
  const heading = new RegExp(`^#{2,4} ${SECTION}(\\d+(?:\\.\\d+)*)\\s`, 'gm');
  return new Set([...read(PROTOCOL_DOC).matchAll(heading)].map((m) => m[1]!));
}

/**
 * The sections a line cites: `§1.2`, and both ends of a range such as `§1.3–1.4`. A section
 * sign after "RFC <number>" belongs to that RFC, not to our notes.
 */
function citedSections(line: string): string[] {
  const cited: string[] = [];
  const citation = new RegExp(
    `(RFC\\s?\\d+\\s*)?${SECTION}\\s?(\\d+(?:\\.\\d+)*)(?:\\s?[–-]\\s?(\\d+(?:\\.\\d+)*))?`,
    'g',
  );
  for (const match of line.matchAll(citation)) {
    if (match[1]) continue;
    cited.push(match[2]!);
    if (match[3]) cited.push(match[3]);
  }
  return cited;
}

describe('the repository stands alone', () => {
  it('tracks the files these checks read', () => {
    expect(FILES).toContain('README.md');
    expect(FILES).toContain(PROTOCOL_DOC);
    expect(FILES.length).toBeGreaterThan(100);
  });

  it('no tracked file refers to a path or note outside the repository', () => {
    const findings = scan(FILES, (line) => OUTSIDE.flatMap((pattern) => [...line.matchAll(pattern)].map((m) => m[0])));
    expect(findings).toEqual([]);
  });

  it('every relative link in a Markdown file resolves to something in the repository', () => {
    const findings = FILES.filter((f) => f.endsWith('.md')).flatMap(brokenLinks);
    expect(findings).toEqual([]);
  });

  it(`every ${SECTION} citation names a heading of ${PROTOCOL_DOC}`, () => {
    const sections = protocolSections();
    expect(sections.size).toBeGreaterThanOrEqual(60);
    const findings = scan(FILES, (line) => citedSections(line).filter((n) => !sections.has(n)));
    expect(findings).toEqual([]);
  });

  it('reads citations the way comments write them', () => {
    expect(citedSections(`see ${SECTION}1.2 and ${SECTION}8.3`)).toEqual(['1.2', '8.3']);
    expect(citedSections(`codecs (protocol reference ${SECTION}1.3–1.4)`)).toEqual(['1.3', '1.4']);
    expect(citedSections(`one hop (RFC 9110 ${SECTION}7.6.1)`)).toEqual([]);
    expect(citedSections(`(${SECTION} 6.2)`)).toEqual(['6.2']);
  });

  it('catches what it is meant to catch', () => {
    const outside = (text: string) => OUTSIDE.some((pattern) => new RegExp(pattern.source).test(text));
    // Assembled, so that this file does not itself contain what it forbids.
    const up = ['..', 'shared'].join('/');
    expect(outside(`see [the design](${up}/notes.md)`)).toBe(true);
    expect(outside(`(${'LESSONS'}.md 8)`)).toBe(true);
    expect(outside('docs/architecture.md')).toBe(false);
    expect(proseOf('a `[x](nowhere.md)` b\n```\n[y](gone.md)\n```\n[z](docs/data-model.md)')).toBe(
      'a  b\n\n[z](docs/data-model.md)',
    );
  });
});
