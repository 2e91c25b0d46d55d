'use client';
import type { CampaignPoint } from '../../react/index.ts';
import { compact, linePath, niceMax, scales, type Plot } from './chart-scale.ts';

const PLOT: Plot = { width: 360, height: 150, padding: { top: 10, right: 36, bottom: 22, left: 40 } };

const timeLabel = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * One campaign's data points over time as an SVG line chart: impressions per point on the left
 * axis, clicks per point on the right one, a dot per point. It redraws as points arrive (the
 * figure's `data-points` says how many it shows).
 */
export function CampaignChart({ name, points }: { name: string; points: readonly CampaignPoint[] }) {
  const times = points.map((p) => Date.parse(p.recordedAt));
  const from = Math.min(...times);
  const to = Math.max(...times);
  const impressionsTop = niceMax(Math.max(0, ...points.map((p) => p.impressions)));
  const clicksTop = niceMax(Math.max(0, ...points.map((p) => p.clicks)));
  const left = scales(PLOT, from, to, impressionsTop);
  const right = scales(PLOT, from, to, clicksTop);
  const last = points.at(-1);
  const bottom = PLOT.height - PLOT.padding.bottom;
  const description = last
    ? `${name}: ${points.length} data points; the latest ${last.impressions} impressions and ${last.clicks} clicks`
    : `${name}: no data points yet`;
  return (
    <figure className="campaign-chart" data-points={points.length}>
      <svg viewBox={`0 0 ${PLOT.width} ${PLOT.height}`} role="img" aria-label={description}>
        <line className="axis" x1={PLOT.padding.left} x2={PLOT.width - PLOT.padding.right} y1={bottom} y2={bottom} />
        <text className="tick" x={PLOT.padding.left - 4} y={PLOT.padding.top + 8} textAnchor="end">
          {compact(impressionsTop)}
        </text>
        <text className="tick" x={PLOT.padding.left - 4} y={bottom} textAnchor="end">
          0
        </text>
        <text className="tick clicks" x={PLOT.width - PLOT.padding.right + 4} y={PLOT.padding.top + 8}>
          {compact(clicksTop)}
        </text>
        {points.length > 0 && (
          <>
            <text className="tick" x={PLOT.padding.left} y={PLOT.height - 6}>
              {timeLabel(from)}
            </text>
            <text className="tick" x={PLOT.width - PLOT.padding.right} y={PLOT.height - 6} textAnchor="end">
              {timeLabel(to)}
            </text>
            <path
              className="line impressions"
              d={linePath({ times, values: points.map((p) => p.impressions) }, left.x, left.y)}
            />
            <path
              className="line clicks"
              d={linePath({ times, values: points.map((p) => p.clicks) }, right.x, right.y)}
            />
            {points.map((p, i) => (
              <circle
                key={p.id}
                className="point impressions"
                r={2.5}
                cx={left.x(times[i]!)}
                cy={left.y(p.impressions)}
              >
                <title>{`${new Date(times[i]!).toLocaleTimeString()}: ${p.impressions} impressions, ${p.clicks} clicks`}</title>
              </circle>
            ))}
          </>
        )}
      </svg>
      <figcaption className="legend small">
        <span className="key impressions">impressions</span> <span className="key clicks">clicks</span> per data point
      </figcaption>
    </figure>
  );
}
