/**
 * Scales for the campaign chart: pure arithmetic from data to SVG coordinates, so the component
 * only draws.
 */

export interface Series {
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/** A round upper bound for an axis (1, 2 or 5 × 10^n), never below `max` and never 0. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export interface Plot {
  readonly width: number;
  readonly height: number;
  /** Space kept for the axis labels around the plot area. */
  readonly padding: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

/** x for a time, y for a value: the plot area spans [from, to] and [0, top]. */
export function scales(plot: Plot, from: number, to: number, top: number) {
  const { width, height, padding } = plot;
  const innerWidth = width - padding.left - padding.right;
  const innerHeight = height - padding.top - padding.bottom;
  const span = to - from || 1;
  return {
    x: (time: number) => padding.left + (to === from ? innerWidth / 2 : ((time - from) / span) * innerWidth),
    y: (value: number) => padding.top + innerHeight - (value / top) * innerHeight,
  };
}

/** The SVG path through the points, in time order. */
export function linePath(series: Series, x: (t: number) => number, y: (v: number) => number): string {
  return series.times
    .map((time, i) => `${i === 0 ? 'M' : 'L'}${x(time).toFixed(1)},${y(series.values[i] ?? 0).toFixed(1)}`)
    .join(' ');
}

/** 12 345 → "12.3k", 2 500 000 → "2.5M": axis labels that fit. */
export function compact(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(value >= 10_000_000 ? 0 : 1)}M`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(value >= 10_000 ? 0 : 1)}k`;
  return String(Math.round(value));
}
