/**
 * The statistics and table printing every bench table shares, so that a "p99" or a "ratio" means
 * the same in each of them. A helper, not a table (the `_` keeps `npm run bench` from running it).
 */

/**
 * The p-th percentile of samples sorted ascending, by nearest rank (no interpolation: every value
 * printed is one that was measured); NaN when there are none.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
}

/** Count, median and p99 of samples in any order (the samples are left as they are). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  // A Float64Array sorts numerically; a plain array's default sort would compare strings.
  const sorted = Float64Array.from(samples).sort();
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** A number with `digits` decimals, or an en dash when there is none (no samples, no baseline). */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** `value / base` with two decimals, the form every ratio column uses. */
export function ratio(value: number, base: number): string {
  return fixed(value / base, 2);
}

/** Prints a Markdown table, columns padded to their widest cell, ready to paste into docs. */
export function printTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
