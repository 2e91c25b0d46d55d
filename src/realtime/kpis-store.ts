import { orgTopic } from '../contract/index.ts';
import { catchUpWhileActive, createCatchUp } from './catch-up.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import { KPI_COLUMNS, kpiRowSchema, type KpiRow } from './rows.ts';
import { createLatestValueLimiter } from './rate-limiter.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';
import { createTopicSet } from './topic-set.ts';

/** The dashboard's KPIs, as `public.dashboard_kpis` computes them under the user's RLS. */
export interface Kpis {
  readonly publishersTotal: number;
  readonly publishersByStatus: Readonly<Record<string, number>>;
  readonly runsQueued: number;
  readonly runsProcessing: number;
  readonly campaignsActive: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly spend: number;
  /** clicks / impressions; null without impressions. */
  readonly clickThroughRate: number | null;
  /** conversions / clicks; null without clicks. */
  readonly conversionRate: number | null;
  /** spend / conversions; null without conversions. */
  readonly costPerConversion: number | null;
}

/** null until the first read. */
export type KpisStore = ReadableStore<Kpis | null>;

/**
 * At most one re-read per this interval however fast the moving changes come (an agent writing
 * ten points a second): the tiles stay within a quarter second of the database, for four small
 * reads a second at most.
 */
const REFRESH_INTERVAL_MS = 250;
/**
 * The safety net when no event says so (a change on a topic this client does not join, such as a
 * publisher without a territory): the view is re-read this often while shown.
 */
const RECHECK_INTERVAL_MS = 10_000;

/**
 * The KPI tiles' figures. Every figure is the database's (one view, under RLS), so everyone who
 * reads the same territories sees the same numbers; this store only decides WHEN to re-read: on
 * every change that can move a figure — a publisher change (the organisation's Postgres changes
 * and the territories' publisher_update), an agent run changing status, a campaign data point.
 */
export function createKpisStore(ctx: CoreContext): KpisStore {
  let kpis: Kpis | null = null;
  const runStatuses = new Map<string, string>();

  const store = createCoalescedStore<Kpis | null>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => kpis,
    onActive: () => {
      const topics = createTopicSet(ctx, (topic) => ({
        onSubscribed: refresh,
        onPostgresChange: (change) => change.table === 'publishers' && refresh(),
        onBroadcast: (event, payload) => {
          const message = ctx.accept(topic, event, payload);
          if (message?.type === 'campaign_metric') return refresh();
          if (message?.type === 'publisher_update') return refresh();
          if (message?.type === 'agent_status') {
            const runId = message.data.runId ?? message.id.split(':')[0]!;
            if (runStatuses.get(runId) === message.data.status) return;
            runStatuses.set(runId, message.data.status);
            refresh();
          }
        },
      }));
      topics.join(orgTopic(ctx.organizationId));
      topics.joinTerritoryTopics();
      refresh();
      const stop = catchUpWhileActive(ctx, reader);
      return () => {
        stop();
        limiter.cancel();
        topics.release();
      };
    },
  });

  const read = async (): Promise<void> => {
    await ctx.ready;
    const rows = await readRows(
      ctx,
      'kpis read',
      kpiRowSchema,
      ctx.supabase.from('dashboard_kpis').select(KPI_COLUMNS).eq('organization_id', ctx.organizationId).limit(1),
    );
    const row = rows?.[0];
    if (!row) return;
    const next = kpisFromRow(row);
    // Most re-reads find the same figures (a point of a campaign in a paused state, a progress
    // tick): the snapshot keeps its identity then, and nothing re-renders.
    if (kpis !== null && JSON.stringify(kpis) === JSON.stringify(next)) return;
    kpis = next;
    store.invalidate();
  };

  const reader = createCatchUp(read, ctx.env, RECHECK_INTERVAL_MS);
  const limiter = createLatestValueLimiter<null>(ctx.env, 1, REFRESH_INTERVAL_MS, () => reader.request());
  const refresh = (): void => limiter.offer(null);

  // New rights count other rows: read again. Removed: no figures at all (the view has no row).
  ctx.onAccessChange((change) => {
    if (change.kind === 'removed') {
      kpis = null;
      store.invalidate();
    } else refresh();
  });

  return { subscribe: store.subscribe, getSnapshot: store.getSnapshot };
}

/** A dashboard_kpis row → Kpis (the server's first render reads the same row). */
export function kpisFromRow(row: KpiRow): Kpis {
  return Object.freeze({
    publishersTotal: row.publishers_total,
    publishersByStatus: Object.freeze({ ...row.publishers_by_status }),
    runsQueued: row.runs_queued,
    runsProcessing: row.runs_processing,
    campaignsActive: row.campaigns_active,
    impressions: row.impressions,
    clicks: row.clicks,
    conversions: row.conversions,
    spend: row.spend,
    clickThroughRate: row.click_through_rate,
    conversionRate: row.conversion_rate,
    costPerConversion: row.cost_per_conversion,
  });
}
