import type { Preferences } from './api-request.ts';

const ALLOWED: { [K in keyof Preferences]-?: readonly NonNullable<Preferences[K]>[] } = {
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  tx: ['commit', 'rollback'],
};

/**
 * `Prefer: return=representation, count=exact` (one header or several; clients append). Unknown or
 * invalid preferences are ignored, as PostgREST does unless `handling=strict`.
 */
export function parsePrefer(header: string | readonly string[] | undefined): Preferences {
  const preferences: Record<string, string> = {};
  const parts = (Array.isArray(header) ? header : [header ?? '']).flatMap((h: string) => h.split(','));
  for (const part of parts) {
    const [key, value] = part.trim().split('=', 2).map((s) => s.trim());
    if (!key || !value || !(key in ALLOWED)) continue;
    if ((ALLOWED[key as keyof Preferences] as readonly string[]).includes(value)) preferences[key] = value;
  }
  return preferences as Preferences;
}
