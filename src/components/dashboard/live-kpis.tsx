'use client';

export interface LiveKpisProps {
  readonly publishersByStatus: Readonly<Record<string, number>>;
  readonly agentsRunning: number;
  readonly peopleOnline: number;
}

/** Numbers that move as events arrive; fixed-width tiles so streaming data never shifts the layout. */
export function LiveKpis({ publishersByStatus, agentsRunning, peopleOnline }: LiveKpisProps) {
  const statuses = Object.entries(publishersByStatus).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-label="Live KPIs" className="kpis">
      <dl>
        <div className="kpi">
          <dt>People online</dt>
          <dd data-kpi="people-online">{peopleOnline}</dd>
        </div>
        <div className="kpi">
          <dt>Agents running</dt>
          <dd data-kpi="agents-running">{agentsRunning}</dd>
        </div>
        {statuses.map(([status, count]) => (
          <div className="kpi" key={status}>
            <dt>Publishers {status}</dt>
            <dd data-kpi={`publishers-${status}`}>{count}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
