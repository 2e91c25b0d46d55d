import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** What `supabase/config.toml` says about one function (`[functions.<name>]`). */
export interface FunctionSettings {
  /** Supabase's default: only requests with a valid JWT reach the function. */
  verifyJwt: boolean;
  /** `enabled = false` takes a function off the air, as with `supabase functions serve`. */
  enabled: boolean;
}

export const DEFAULT_FUNCTION_SETTINGS: FunctionSettings = Object.freeze({ verifyJwt: true, enabled: true });

const SECTION = /^\[\s*functions\.(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*\]$/;
const OTHER_SECTION = /^\[/;
const ENTRY = /^([A-Za-z0-9_-]+)\s*=\s*(true|false)\s*(?:#.*)?$/;
const sectionSchema = z.object({ verify_jwt: z.boolean().optional(), enabled: z.boolean().optional() });

/**
 * Reads the `[functions.<name>]` tables of a Supabase config.toml. Only the boolean keys the
 * gateway needs are understood, so a tiny line parser does (no TOML dependency); every other
 * table and key is skipped. A missing file means every function gets the defaults.
 */
export async function readFunctionSettings(configTomlPath: string): Promise<Map<string, FunctionSettings>> {
  const text = await readFile(configTomlPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseFunctionSettings(text, configTomlPath);
}

function parseFunctionSettings(text: string, source = 'config.toml'): Map<string, FunctionSettings> {
  const raw = new Map<string, Record<string, boolean>>();
  let current: Record<string, boolean> | undefined;
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = SECTION.exec(line);
    if (section) {
      const name = section[1] ?? section[2] ?? '';
      current = raw.get(name) ?? {};
      raw.set(name, current);
      continue;
    }
    if (OTHER_SECTION.test(line)) {
      current = undefined;
      continue;
    }
    if (!current) continue;
    const entry = ENTRY.exec(line);
    if (entry?.[1] === 'verify_jwt' || entry?.[1] === 'enabled') {
      current[entry[1]] = entry[2] === 'true';
    } else if (/^(verify_jwt|enabled)\s*=/.test(line)) {
      throw new Error(`${source}:${index + 1}: expected true or false in "${line}"`);
    }
  }
  const settings = new Map<string, FunctionSettings>();
  for (const [name, values] of raw) {
    const parsed = sectionSchema.parse(values);
    settings.set(name, { verifyJwt: parsed.verify_jwt ?? true, enabled: parsed.enabled ?? true });
  }
  return settings;
}
