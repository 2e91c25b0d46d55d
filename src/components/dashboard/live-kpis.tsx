'use client';
import type { Kpis } from '../../react/index.ts';

export interface LiveKpisProps {
  /** The SQL-defined figures (`dashboard_kpis`); null until the first read. */
  readonly kpis: Kpis | null;
  /** Presence is ephemeral, not a row: the one figure the database cannot count. */
  readonly peopleOnline: number;
}

const count = new Intl.NumberFormat();
const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

function Tile({ label, name, value }: { label: string; name: string; value: string }) {
  return (
    <div className="kpi">
      <dt>{label}</dt>
      <dd data-kpi={name}>{value}</dd>
    </div>
  );
}

/**
 * Numbers that move as events arrive; fixed-width tiles so streaming data never shifts the layout.
 * Every figure but "People online" is the database's, under the viewer's RLS, so everyone who may
 * read the same territories sees the same numbers.
 */
export function LiveKpis({ kpis, peopleOnline }: LiveKpisProps) {
  const show = (value: number | null | undefined, format: Intl.NumberFormat = count) =>
    value === null || value === undefined ? '–' : format.format(value);
  const statuses = Object.entries(kpis?.publishersByStatus ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-label="Live KPIs" className="kpis" aria-busy={kpis === null}>
      <dl>
        <Tile label="People online" name="people-online" value={show(peopleOnline)} />
        <Tile label="Agents running" name="agents-running" value={show(kpis?.runsProcessing)} />
        <Tile label="Runs queued" name="runs-queued" value={show(kpis?.runsQueued)} />
        <Tile label="Publishers" name="publishers-total" value={show(kpis?.publishersTotal)} />
        {statuses.map(([status, n]) => (
          <Tile key={status} label={`Publishers ${status}`} name={`publishers-${status}`} value={show(n)} />
        ))}
        <Tile label="Impressions" name="impressions" value={show(kpis?.impressions)} />
        <Tile label="Clicks" name="clicks" value={show(kpis?.clicks)} />
        <Tile label="Click-through" name="click-through-rate" value={show(kpis?.clickThroughRate, percent)} />
        <Tile label="Conversions" name="conversions" value={show(kpis?.conversions)} />
        <Tile label="Spend" name="spend" value={show(kpis?.spend, money)} />
      </dl>
    </section>
  );
}
