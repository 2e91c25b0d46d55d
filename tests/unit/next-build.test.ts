/**
 * `npm start` and the e2e tier rebuild the dashboard only when something the build reads is newer
 * than the last build (scripts/lib/next-build.ts). If the decision leaves out a file the app
 * imports, an edit there is never built and the tests run against a stale dashboard.
 *
 * The import graph here is the app's real one: every file Next picks up by convention (`src/app`,
 * the files at the top of `src/`) and `next.config.ts`, followed through their imports with
 * TypeScript's module resolution and the options of tsconfig.next.json (the ones Next compiles
 * with, `@/` aliases included). The decision runs on a scratch copy of that graph's layout, so
 * the repository's own `.next` is never touched.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextBuildIsStale } from '../../scripts/lib/next-build.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Files the build reads that no import reaches: the compiler settings (the second extends the first) and the dependencies. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.next.json', 'package.json', 'package-lock.json'];

function filesUnder(dir: string, recursive: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return recursive ? filesUnder(full, true) : [];
    return /\.(tsx?|css)$/.test(entry.name) ? [full] : [];
  });
}

/** Repository-relative paths of every project file the app reaches, entries included (no node_modules). */
function appImportGraph(): Set<string> {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.next.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.next.json could not be read');
  const entries = [
    ...filesUnder(path.join(ROOT, 'src/app'), true),
    ...filesUnder(path.join(ROOT, 'src'), false),
    path.join(ROOT, 'next.config.ts'),
  ];
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.endsWith('.css')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.endsWith('.css')) {
        // TypeScript does not resolve stylesheets; Next bundles them, so they count.
        queue.push(path.resolve(path.dirname(file), specifier));
        continue;
      }
      if (isBuiltin(specifier)) continue;
      const { resolvedModule } = ts.resolveModuleName(specifier, file, config.options, ts.sys);
      if (!resolvedModule) throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${specifier}`);
      if (!resolvedModule.isExternalLibraryImport) queue.push(resolvedModule.resolvedFileName);
    }
  }
  return new Set([...seen].map((file) => path.relative(ROOT, file)));
}

const T0 = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-01-01T00:10:00Z');

describe("the dashboard's rebuild decision", () => {
  let graph: Set<string>;
  let scratch: string;

  /** A scratch tree with the graph's files, a build and a stamp from after T0: everything old and fresh. */
  function mirror(files: Iterable<string>): void {
    rmSync(scratch, { recursive: true, force: true });
    for (const rel of files) {
      mkdirSync(path.dirname(path.join(scratch, rel)), { recursive: true });
      writeFileSync(path.join(scratch, rel), '');
    }
    mkdirSync(path.join(scratch, '.next'), { recursive: true });
    writeFileSync(path.join(scratch, '.next/BUILD_ID'), 'scratch');
    writeFileSync(path.join(scratch, '.next/pubdev-build-inputs'), String(T0.getTime() + 1000));
    const age = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) age(path.join(dir, entry.name));
        else utimesSync(path.join(dir, entry.name), T0, T0);
      utimesSync(dir, T0, T0);
    };
    age(scratch);
  }

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pubdev-next-build-'));
    graph = appImportGraph();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('walks the real import graph, across every layer the app uses', () => {
    // The positive control: were the walk not following imports, the checks below would prove nothing.
    const folders = new Set([...graph].map((rel) => rel.split(path.sep).slice(0, 2).join('/')));
    for (const folder of ['src/app', 'src/components', 'src/lib', 'src/react', 'src/realtime', 'src/contract'])
      expect(folders).toContain(folder);
    expect(folders).toContain('src/server'); // /api/websocket and /api/health
    expect(graph).toContain('supabase/fixture.ts'); // the login page's fixture users
    expect(graph).toContain('src/app/globals.css');
  });

  it('is fresh when nothing changed, and stays fresh when files the app does not import change', () => {
    mirror([...graph, ...CONFIG_FILES, 'tests/unit/x.test.ts', 'supabase/migrations/x.sql', 'docs/x.md']);
    expect(nextBuildIsStale(scratch)).toBe(false);
    for (const rel of ['tests/unit/x.test.ts', 'supabase/migrations/x.sql', 'docs/x.md']) {
      utimesSync(path.join(scratch, rel), LATER, LATER);
      expect(nextBuildIsStale(scratch), rel).toBe(false);
    }
  });

  it('says rebuild when any file the app imports, or any config file of the build, is newer than the build', () => {
    const files = [...graph, ...CONFIG_FILES];
    mirror(files);
    const missed = files.filter((rel) => {
      utimesSync(path.join(scratch, rel), LATER, LATER);
      const stale = nextBuildIsStale(scratch);
      utimesSync(path.join(scratch, rel), T0, T0);
      return !stale;
    });
    expect(missed, 'files the app imports that the rebuild decision does not watch').toEqual([]);
  });

  it('says rebuild when a file is added to or removed from a folder the app imports', () => {
    const realtimeFile = [...graph].find((rel) => rel.startsWith(`src${path.sep}realtime${path.sep}`));
    expect(realtimeFile).toBeDefined();
    mirror(graph);
    writeFileSync(path.join(scratch, 'src/realtime/new-module.ts'), '');
    expect(nextBuildIsStale(scratch)).toBe(true);

    mirror(graph);
    rmSync(path.join(scratch, realtimeFile!));
    expect(statSync(path.join(scratch, 'src/realtime')).mtimeMs).toBeGreaterThan(T0.getTime());
    expect(nextBuildIsStale(scratch)).toBe(true);
  });

  it('says rebuild when there is no build or no record of its inputs', () => {
    mirror(graph);
    rmSync(path.join(scratch, '.next/pubdev-build-inputs'));
    expect(nextBuildIsStale(scratch)).toBe(true);
    mirror(graph);
    rmSync(path.join(scratch, '.next/BUILD_ID'));
    expect(nextBuildIsStale(scratch)).toBe(true);
  });
});
