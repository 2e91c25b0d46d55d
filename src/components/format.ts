/** "42 s", "3 min": estimated time remaining, from seconds. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** Wall-clock time of an ISO timestamp, in the viewer's locale. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

/** "1st", "2nd", "3rd", "4th", "11th", "22nd": a queue position as people say it. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "contactsFound: 5, publisher: Harbor House": a run's result summary on one line. */
export function formatResult(result: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!result) return null;
  const parts = Object.entries(result)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}: ${String(value)}`);
  return parts.length > 0 ? parts.join(', ') : null;
}
