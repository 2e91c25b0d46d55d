import type { CampaignMetricMessage } from '../contract/index.ts';
import { sinceCursor } from './catch-up.ts';
import type { CoreContext } from './core-context.ts';
import { createPersistedStream, readRows, type BackfillReader } from './persisted-stream.ts';
import {
  CAMPAIGN_COLUMNS,
  CAMPAIGN_POINT_COLUMNS,
  campaignPointRowSchema,
  campaignRowSchema,
  timeOf,
  type CampaignPointRow,
  type CampaignRow,
} from './rows.ts';
import type { ReadableStore } from './store.ts';

/** One data point: what a campaign counted during the period that ends at `recordedAt`. */
export interface CampaignPoint {
  readonly id: number;
  readonly recordedAt: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly spend: number;
}

export interface Campaign {
  readonly id: string;
  readonly publisherId: string;
  readonly name: string;
  readonly status: string;
  /** Running totals of every point (the campaign row's, kept by the database). */
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly spend: number;
  readonly pointCount: number;
  readonly lastRecordedAt: string | null;
  /** The most recent points, oldest first (the order a chart draws them). */
  readonly points: readonly CampaignPoint[];
}

export type CampaignsStore = ReadableStore<readonly Campaign[]>;

/** Campaigns kept: a dashboard's worth, the most recently active first. */
const MAX_CAMPAIGNS = 200;
/** Points per chart: two hours of an agent reporting every two minutes. */
const POINTS_PER_CAMPAIGN = 60;
/** Campaigns whose points are loaded at start (one small read each); the others get points as they arrive. */
const CHARTED_CAMPAIGNS = 12;
/** A catch-up reads at most this many points since the newest seen; a full answer re-reads the charts. */
const POINTS_CATCH_UP_LIMIT = 500;

/** A campaign as the store works on it: figures that live points add to, and its frozen view until it changes. */
type CampaignState = { -readonly [K in keyof Omit<Campaign, 'points'>]: Campaign[K] } & {
  readonly points: Map<number, CampaignPoint>;
  frozen: Campaign | undefined;
};

/**
 * The campaigns of the publishers the user may read, with their totals and recent points, live:
 * each `campaign_metric` (broadcast on the publisher's territory topic) adds its point and its
 * figures at once. A point of a campaign this store does not know yet makes it re-read the
 * campaigns. Catch-ups re-read the campaign rows (their totals are the truth) and the points
 * written since the newest seen (by `created_at`, the database's clock).
 */
export function createCampaignsStore(ctx: CoreContext): CampaignsStore {
  const campaigns = new Map<string, CampaignState>();
  // A full read of the campaigns (first load, every (re)join, a point of an unknown campaign);
  // otherwise only rows changed since the newest `updated_at` seen.
  let needsCampaigns = true;
  let campaignsCursor: string | null = null;
  let pointsCursor: string | null = null;

  const stream = createPersistedStream(ctx, {
    backfill: {
      table: 'campaign_metrics',
      columns: CAMPAIGN_POINT_COLUMNS,
      schema: campaignPointRowSchema,
      orderBy: 'created_at',
      ascending: false,
      limit: POINTS_CATCH_UP_LIMIT,
      operation: 'campaign points backfill',
    },
    build: () =>
      Object.freeze(
        [...campaigns.values()]
          .sort(
            (a, b) =>
              (b.lastRecordedAt ? timeOf(b.lastRecordedAt) : 0) - (a.lastRecordedAt ? timeOf(a.lastRecordedAt) : 0) ||
              a.name.localeCompare(b.name),
          )
          .map((state) => (state.frozen ??= freezeCampaign(state))),
      ),
    listen: (topics) => {
      needsCampaigns = true;
      topics.joinTerritoryTopics();
      // The first load does not wait for a join: a user may read no territory topic at all.
      stream.catchUp.request();
    },
    listener: (topic) => ({
      onSubscribed: () => {
        needsCampaigns = true;
        stream.catchUp.request();
      },
      onBroadcast: (event, payload) => {
        const message = ctx.accept(topic, event, payload);
        if (message?.type === 'campaign_metric') onPoint(message);
      },
    }),
    onAccessChange: (change) => {
      // The rights changed: a full read keeps only the campaigns they allow, and the charts are
      // read again (a campaign they add has points from before). Removed: nothing is left.
      if (change.kind === 'removed') campaigns.clear();
      needsCampaigns = true;
      pointsCursor = null;
    },
    catchUp: async (read) => {
      if (!(await readCampaigns())) return;
      const rows = await readPoints(read);
      // A point the store has not shown yet may be newer than the totals just read: read them again
      // (only then: it is rare), so no snapshot shows a point its campaign's totals lack.
      if (rows.some((row) => campaigns.get(row.campaign_id)?.points.has(row.id) === false)) await readCampaigns();
      addPoints(rows);
    },
  });

  const readCampaigns = async (): Promise<boolean> => {
    const full = needsCampaigns || campaignsCursor === null;
    needsCampaigns = false;
    let query = ctx.supabase.from('campaigns').select(CAMPAIGN_COLUMNS).eq('organization_id', ctx.organizationId);
    if (!full) query = query.gte('updated_at', sinceCursor(campaignsCursor!));
    const rows = await readRows(
      ctx,
      'campaigns read',
      campaignRowSchema,
      query.order('updated_at', { ascending: false }).limit(MAX_CAMPAIGNS),
    );
    if (!rows) {
      needsCampaigns ||= full;
      return false;
    }
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      if (campaignsCursor === null || timeOf(row.updated_at) > timeOf(campaignsCursor))
        campaignsCursor = row.updated_at;
      keepCampaign(row);
    }
    // After a full read, a campaign the user no longer reads (its publisher moved away) leaves.
    if (full) for (const id of campaigns.keys()) if (!seen.has(id)) campaigns.delete(id);
    stream.changed();
    return true;
  };

  /** The points written since the newest seen, or the charts again when that is the first read or too many. */
  const readPoints = async (read: BackfillReader<CampaignPointRow>): Promise<CampaignPointRow[]> => {
    if (pointsCursor === null) return readCharts(read);
    const rows = await read.since();
    if (!rows) return [];
    return rows.length >= POINTS_CATCH_UP_LIMIT ? readCharts(read) : rows;
  };

  /** The newest points of the most recently active campaigns; the stream's cursor moves past them. */
  const readCharts = async (read: BackfillReader<CampaignPointRow>): Promise<CampaignPointRow[]> => {
    const charted = [...campaigns.values()]
      .sort(
        (a, b) => (b.lastRecordedAt ? timeOf(b.lastRecordedAt) : 0) - (a.lastRecordedAt ? timeOf(a.lastRecordedAt) : 0),
      )
      .slice(0, CHARTED_CAMPAIGNS);
    const pages = await Promise.all(
      charted.map((campaign) =>
        readRows(
          ctx,
          'campaign points read',
          campaignPointRowSchema,
          ctx.supabase
            .from('campaign_metrics')
            .select(CAMPAIGN_POINT_COLUMNS)
            .eq('campaign_id', campaign.id)
            .order('recorded_at', { ascending: false })
            .limit(POINTS_PER_CAMPAIGN),
        ),
      ),
    );
    const rows = pages.flatMap((page) => page ?? []);
    read.advance(rows);
    return rows;
  };

  /**
   * The table's row wins unless the held totals count more points (a live point the read predates).
   * Points read by a catch-up add no figures: the totals come only from a row or a message, each
   * saying how many points it counts, so none is missed or counted twice.
   */
  const keepCampaign = (row: CampaignRow): void => {
    const held = campaigns.get(row.id);
    if (held && held.pointCount > row.points) return;
    campaigns.set(row.id, {
      id: row.id,
      publisherId: row.publisher_id,
      name: row.name,
      status: row.status,
      impressions: Number(row.impressions),
      clicks: Number(row.clicks),
      conversions: Number(row.conversions),
      spend: Number(row.spend),
      pointCount: row.points,
      lastRecordedAt: row.last_recorded_at === null ? null : new Date(timeOf(row.last_recorded_at)).toISOString(),
      points: held?.points ?? new Map(),
      frozen: undefined,
    });
  };

  const addPoints = (rows: readonly CampaignPointRow[]): void => {
    if (rows.length === 0) return;
    let unknown = false;
    for (const row of rows) {
      if (pointsCursor === null || timeOf(row.created_at) > timeOf(pointsCursor)) pointsCursor = row.created_at;
      const campaign = campaigns.get(row.campaign_id);
      if (!campaign) {
        unknown = true;
        continue;
      }
      keepPoint(campaign, {
        id: row.id,
        recordedAt: new Date(timeOf(row.recorded_at)).toISOString(),
        impressions: Number(row.impressions),
        clicks: Number(row.clicks),
        conversions: Number(row.conversions),
        spend: Number(row.spend),
      });
    }
    if (unknown) needsCampaigns = true;
    stream.changed();
  };

  const keepPoint = (campaign: CampaignState, point: CampaignPoint): boolean => {
    if (campaign.points.has(point.id)) return false;
    campaign.frozen = undefined;
    campaign.points.set(point.id, Object.freeze(point));
    if (campaign.points.size > POINTS_PER_CAMPAIGN) {
      const oldest = [...campaign.points.values()].sort(byTime)[0]!;
      campaign.points.delete(oldest.id);
    }
    return true;
  };

  const onPoint = ({ data }: CampaignMetricMessage): void => {
    const campaign = campaigns.get(data.campaignId);
    if (!campaign) {
      needsCampaigns = true;
      return stream.catchUp.request();
    }
    const point = { id: data.pointId, recordedAt: data.recordedAt, ...figures(data) };
    const added = keepPoint(campaign, point);
    // The totals are the database's with this point counted: they replace the held ones only when
    // they count more points (a catch-up may have read the row, or this point, first).
    const newer = data.totals.points > campaign.pointCount;
    if (newer) {
      campaign.frozen = undefined;
      campaign.impressions = data.totals.impressions;
      campaign.clicks = data.totals.clicks;
      campaign.conversions = data.totals.conversions;
      campaign.spend = data.totals.spend;
      campaign.pointCount = data.totals.points;
      if (campaign.lastRecordedAt === null || timeOf(data.recordedAt) > timeOf(campaign.lastRecordedAt))
        campaign.lastRecordedAt = new Date(timeOf(data.recordedAt)).toISOString();
    }
    if (added || newer) stream.changed();
  };

  return { subscribe: stream.subscribe, getSnapshot: stream.getSnapshot };
}

function figures(data: CampaignMetricMessage['data']) {
  return { impressions: data.impressions, clicks: data.clicks, conversions: data.conversions, spend: data.spend };
}

function byTime(a: CampaignPoint, b: CampaignPoint): number {
  return timeOf(a.recordedAt) - timeOf(b.recordedAt) || a.id - b.id;
}

function freezeCampaign({ frozen: _, points, ...figures }: CampaignState): Campaign {
  return Object.freeze({ ...figures, points: Object.freeze([...points.values()].sort(byTime)) });
}
