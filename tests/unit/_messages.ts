// Valid example messages, shared by the contract and schema-drift tests.
import type { RealtimeMessage } from '../../src/contract/index.ts';

export const ORG = '11111111-1111-4111-8111-111111111111';
export const USER = 'a0000000-0000-4000-8000-000000000001';
export const PUBLISHER = 'c0000000-0000-4000-8000-000000000001';
const RUN = 'd0000000-0000-4000-8000-000000000001';
const ROW = 'e0000000-0000-4000-8000-000000000001';
const CAMPAIGN = 'ca000000-0000-4000-8000-000000000001';
// What Postgres' to_json(timestamptz) writes.
const PG_TIMESTAMP = '2026-11-25T17:36:19.123456+00:00';

export const VALID_MESSAGES = {
  user_snapshot: {
    id: 'f0000000-0000-4000-8000-000000000001',
    type: 'user_snapshot',
    data: {
      userId: USER,
      activity: { action: 'viewing', publisherId: PUBLISHER, territory: 'US_West', status: 'online' },
    },
    timestamp: '2026-11-25T17:36:19.123Z',
  },
  agent_status: {
    id: `${RUN}:7`,
    type: 'agent_status',
    seq: 7,
    data: {
      agentId: 'enrichment-agent',
      status: 'processing',
      progress: { progress: 42.5, currentTask: 'Enriching Sunrise Books', estimatedTime: 30 },
      runId: RUN,
      queuePosition: null,
      attempt: 1,
    },
    timestamp: PG_TIMESTAMP,
  },
  team_update: {
    id: ROW,
    type: 'team_update',
    data: {
      updateType: 'assignment',
      message: 'Sunrise Books assigned to @west',
      userId: USER,
      territory: 'US_West',
      details: { mentions: [USER], publisherId: PUBLISHER },
    },
    timestamp: PG_TIMESTAMP,
  },
  publisher_update: {
    id: `${PUBLISHER}:3:status`,
    type: 'publisher_update',
    version: 3,
    data: {
      publisherId: PUBLISHER,
      update: { field: 'status', oldValue: 'prospect', newValue: 'active', updatedBy: USER },
    },
    timestamp: PG_TIMESTAMP,
  },
  notification: {
    id: ROW,
    type: 'notification',
    data: {
      message: 'Enrichment finished',
      level: 'success',
      actionUrl: '/publishers/1',
      persistent: true,
      userId: USER,
    },
    timestamp: PG_TIMESTAMP,
  },
  campaign_metric: {
    id: `${CAMPAIGN}:42`,
    type: 'campaign_metric',
    data: {
      campaignId: CAMPAIGN,
      publisherId: PUBLISHER,
      pointId: 42,
      recordedAt: '2026-11-25T17:36:19.123Z',
      impressions: 1200,
      clicks: 48,
      conversions: 3,
      spend: 250.5,
      totals: { impressions: 9600, clicks: 384, conversions: 24, spend: 2004, points: 8 },
    },
    timestamp: '2026-11-25T17:36:19.456Z',
  },
} as const satisfies { [Type in RealtimeMessage['type']]: Extract<RealtimeMessage, { type: Type }> };

/** The same messages as a SQL trigger builds them: optional columns come out as `null`. */
const VALID_MESSAGES_WITH_SQL_NULLS = {
  agent_status: {
    id: `${RUN}:0`,
    type: 'agent_status',
    seq: 0,
    data: {
      agentId: 'scoring-agent',
      status: 'queued',
      progress: { progress: 0, currentTask: 'Waiting', estimatedTime: null },
      runId: null,
      queuePosition: null,
      attempt: null,
      error: null,
    },
    timestamp: PG_TIMESTAMP,
  },
  team_update: {
    id: ROW,
    type: 'team_update',
    data: {
      updateType: 'territory_change',
      message: 'Org-wide',
      userId: null,
      territory: null,
      details: { mentions: null },
    },
    timestamp: PG_TIMESTAMP,
  },
  publisher_update: {
    id: `${PUBLISHER}:4:territory`,
    type: 'publisher_update',
    version: 4,
    data: {
      publisherId: PUBLISHER,
      update: { field: 'territory', oldValue: null, newValue: 'US_East', updatedBy: null },
    },
    timestamp: PG_TIMESTAMP,
  },
  notification: {
    id: ROW,
    type: 'notification',
    data: { message: 'Maintenance tonight', level: 'info', actionUrl: null, persistent: null, userId: null },
    timestamp: PG_TIMESTAMP,
  },
} as const;

export const ALL_VALID_MESSAGES: readonly (readonly [string, unknown])[] = [
  ...Object.entries(VALID_MESSAGES),
  ...Object.entries(VALID_MESSAGES_WITH_SQL_NULLS).map(
    ([name, message]) => [`${name} with SQL nulls`, message] as const,
  ),
];
