import { readFile } from 'node:fs/promises';

/** A value of the `[auth*]` tables this reader understands: a string, a boolean, an integer or a list of strings. */
type TomlValue = string | boolean | number | string[];

/** The `[auth]`, `[auth.email]` and `[auth.rate_limit]` tables of a Supabase config.toml, key by key. */
export interface AuthToml {
  auth: Record<string, TomlValue>;
  email: Record<string, TomlValue>;
  rateLimit: Record<string, TomlValue>;
}

const TABLES: Record<string, keyof AuthToml> = { auth: 'auth', 'auth.email': 'email', 'auth.rate_limit': 'rateLimit' };
const HEADER = /^\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$/;
const ENTRY = /^([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*$/;

/**
 * Reads the Auth tables of `supabase/config.toml`, the file `supabase start` configures its Auth
 * server from. Only what those tables hold in practice is understood (one-line strings, booleans,
 * integers and string lists); other tables are skipped, so no TOML dependency is needed. A value
 * this reader cannot read in an Auth table stops the stack with the file and line, rather than
 * being silently ignored. A missing file gives empty tables.
 */
export async function readAuthToml(path: string): Promise<AuthToml> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseAuthToml(text, path);
}

function parseAuthToml(text: string, source = 'config.toml'): AuthToml {
  const result: AuthToml = { auth: {}, email: {}, rateLimit: {} };
  let table: Record<string, TomlValue> | undefined;
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = HEADER.exec(line);
    if (header || line.startsWith('[')) {
      const name = header?.[1];
      table = name !== undefined && name in TABLES ? result[TABLES[name]!] : undefined;
      continue;
    }
    if (!table) continue;
    const entry = ENTRY.exec(line);
    if (!entry) throw new Error(`${source}:${index + 1}: cannot read "${line}"`);
    const [, key = '', raw = ''] = entry;
    const value = parseValue(raw);
    if (value === undefined) throw new Error(`${source}:${index + 1}: cannot read the value of ${key}: ${raw}`);
    table[key] = value;
  }
  return result;
}

function parseValue(raw: string): TomlValue | undefined {
  const text = stripComment(raw);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text.startsWith('"')) return parseString(text);
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    const items = inner
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const strings = items.map(parseString);
    return strings.every((s): s is string => s !== undefined) ? strings : undefined;
  }
  return undefined;
}

/** A basic TOML string without escapes other than `\"` and `\\` (what URLs and durations need). */
function parseString(text: string): string | undefined {
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(text);
  return match?.[1]?.replace(/\\(["\\])/g, '$1');
}

/** Drops a trailing `# comment` that is outside any string. */
function stripComment(raw: string): string {
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return raw.slice(0, i).trim();
  }
  return raw.trim();
}
