'use client';
import Link from 'next/link';
import type { Campaign } from '../../react/index.ts';
import { CampaignChart } from './campaign-chart.tsx';

/** Charts shown at once: the most recently active campaigns; the rest are a click away on their publisher. */
const SHOWN_CAMPAIGNS = 6;

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat();

export interface CampaignPanelProps {
  readonly campaigns: readonly Campaign[];
  /** Publisher names by id, for the campaign's subtitle. */
  readonly publisherNames: Readonly<Record<string, string>>;
}

/** "Campaign performance": per campaign its totals and a chart of its data points, moving as points arrive. */
export function CampaignPanel({ campaigns, publisherNames }: CampaignPanelProps) {
  return (
    <section className="card campaigns" aria-labelledby="campaigns-title">
      <h2 id="campaigns-title">Campaign performance</h2>
      <ul aria-label="Campaigns" className="campaign-list">
        {campaigns.slice(0, SHOWN_CAMPAIGNS).map((campaign) => (
          <li key={campaign.id} data-campaign-id={campaign.id}>
            <div className="campaign-head">
              <strong>{campaign.name}</strong>
              <span className={`badge badge-${campaign.status}`}>{campaign.status}</span>
              <Link className="small" href={`/publishers/${campaign.publisherId}`}>
                {publisherNames[campaign.publisherId] ?? 'Publisher'}
              </Link>
            </div>
            <dl className="campaign-totals small">
              <div>
                <dt>Impressions</dt>
                <dd>{count.format(campaign.impressions)}</dd>
              </div>
              <div>
                <dt>Clicks</dt>
                <dd>{count.format(campaign.clicks)}</dd>
              </div>
              <div>
                <dt>Conversions</dt>
                <dd>{count.format(campaign.conversions)}</dd>
              </div>
              <div>
                <dt>Spend</dt>
                <dd>{money.format(campaign.spend)}</dd>
              </div>
            </dl>
            <CampaignChart name={campaign.name} points={campaign.points} />
          </li>
        ))}
        {campaigns.length === 0 && <li className="muted">No campaigns visible</li>}
      </ul>
    </section>
  );
}
