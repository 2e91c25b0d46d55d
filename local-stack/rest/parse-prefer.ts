import type { Preferences } from './api-request.ts';

type TextPreference = Exclude<keyof Preferences, 'maxAffected'>;

const ALLOWED: { [K in TextPreference]-?: readonly NonNullable<Preferences[K]>[] } = {
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  tx: ['commit', 'rollback'],
  handling: ['strict', 'lenient'],
};

/**
 * `Prefer: return=representation, count=exact` (one header or several; clients append). Unknown or
 * invalid preferences are ignored, as PostgREST does unless `handling=strict`.
 */
export function parsePrefer(header: string | readonly string[] | undefined): Preferences {
  const preferences: Record<string, string | number> = {};
  const parts = (Array.isArray(header) ? header : [header ?? '']).flatMap((h: string) => h.split(','));
  for (const part of parts) {
    const [key, value] = part
      .trim()
      .split('=', 2)
      .map((s) => s.trim());
    if (!key || !value) continue;
    if (key === 'max-affected' && /^\d{1,15}$/.test(value)) preferences.maxAffected = Number(value);
    else if (key in ALLOWED && (ALLOWED[key as TextPreference] as readonly string[]).includes(value))
      preferences[key] = value;
  }
  return preferences as Preferences;
}
