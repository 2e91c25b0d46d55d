/**
 * The seed fixture's fixed ids (supabase/seed.sql inserts exactly these).
 * Tests, demos and `npm run local` rely on them; the README documents them.
 */

export const FIXTURE_PASSWORD = 'pubdev-local-password';

export const ORGS = {
  acme: { id: '11111111-1111-4111-8111-111111111111', name: 'Acme Publishing' },
  globex: { id: '22222222-2222-4222-8222-222222222222', name: 'Globex Media' },
} as const;

export const USERS = {
  /** Acme owner: sees and edits everything in Acme. */
  acmeOwner: {
    id: 'a0000000-0000-4000-8000-000000000001',
    email: 'owner@acme.test',
    displayName: 'Ada Okafor',
    orgId: ORGS.acme.id,
    role: 'owner',
    territories: [],
  },
  /** Acme member restricted to territory US_West. */
  acmeWest: {
    id: 'a0000000-0000-4000-8000-000000000002',
    email: 'west@acme.test',
    displayName: 'Wren Walker',
    orgId: ORGS.acme.id,
    role: 'member',
    territories: ['US_West'],
  },
  /** Acme's AI agent account (member role `agent`): writes agent_runs only. */
  acmeAgent: {
    id: 'a0000000-0000-4000-8000-000000000003',
    email: 'agent@acme.test',
    displayName: 'Acme Agent',
    orgId: ORGS.acme.id,
    role: 'agent',
    territories: [],
  },
  /** Globex member: must never see anything of Acme. */
  globexMember: {
    id: 'b0000000-0000-4000-8000-000000000001',
    email: 'member@globex.test',
    displayName: 'Gil Moreau',
    orgId: ORGS.globex.id,
    role: 'member',
    territories: [],
  },
} as const;

export const TERRITORIES = { usWest: 'US_West', usEast: 'US_East', euNorth: 'EU_North' } as const;

export const PUBLISHERS = {
  sunriseBooks: {
    id: 'c0000000-0000-4000-8000-000000000001',
    orgId: ORGS.acme.id,
    name: 'Sunrise Books',
    territory: TERRITORIES.usWest,
  },
  pacificPress: {
    id: 'c0000000-0000-4000-8000-000000000002',
    orgId: ORGS.acme.id,
    name: 'Pacific Press',
    territory: TERRITORIES.usWest,
  },
  harborHouse: {
    id: 'c0000000-0000-4000-8000-000000000003',
    orgId: ORGS.acme.id,
    name: 'Harbor House',
    territory: TERRITORIES.usEast,
  },
  libertyPrint: {
    id: 'c0000000-0000-4000-8000-000000000004',
    orgId: ORGS.acme.id,
    name: 'Liberty Print',
    territory: TERRITORIES.usEast,
  },
  globexTomes: {
    id: 'c0000000-0000-4000-8000-000000000005',
    orgId: ORGS.globex.id,
    name: 'Globex Tomes',
    territory: TERRITORIES.euNorth,
  },
} as const;

export const AGENT_RUNS = {
  acmeEnrichment: {
    id: 'd0000000-0000-4000-8000-000000000001',
    orgId: ORGS.acme.id,
    agentId: 'enrichment-agent',
    status: 'processing',
    /** Works on Sunrise Books (US_West): visible to who may see that publisher. */
    publisherId: 'c0000000-0000-4000-8000-000000000001',
  },
  acmeScoring: {
    id: 'd0000000-0000-4000-8000-000000000002',
    orgId: ORGS.acme.id,
    agentId: 'scoring-agent',
    status: 'completed',
  },
  globexEnrichment: {
    id: 'd0000000-0000-4000-8000-000000000003',
    orgId: ORGS.globex.id,
    agentId: 'enrichment-agent',
    status: 'idle',
  },
} as const;

export const TEAM_UPDATES = {
  acmeOrgWide: 'f0000000-0000-4000-8000-000000000001',
  acmeUsWestMention: 'f0000000-0000-4000-8000-000000000002',
  globexOrgWide: 'f0000000-0000-4000-8000-000000000003',
  acmeUsEast: 'f0000000-0000-4000-8000-000000000004',
} as const;

export const NOTIFICATIONS = {
  acmeOrgWide: 'e0000000-0000-4000-8000-000000000001',
  acmeOwnerPersonal: 'e0000000-0000-4000-8000-000000000002',
  globexOrgWide: 'e0000000-0000-4000-8000-000000000003',
} as const;

/** The seed's team update mentioning west@acme.test creates this notification (its id is generated). */
export const MENTION_NOTIFICATION_MESSAGE = 'You were mentioned: Sunrise Books assigned to west@acme.test';

/** The seed's campaigns (each with a few data points in campaign_metrics). */
export const CAMPAIGNS = {
  sunriseSpring: {
    id: 'ca000000-0000-4000-8000-000000000001',
    orgId: ORGS.acme.id,
    publisherId: PUBLISHERS.sunriseBooks.id,
    name: 'Spring list launch',
    points: 6,
  },
  harborRetail: {
    id: 'ca000000-0000-4000-8000-000000000002',
    orgId: ORGS.acme.id,
    publisherId: PUBLISHERS.harborHouse.id,
    name: 'East coast retail push',
    points: 4,
  },
  globexScience: {
    id: 'ca000000-0000-4000-8000-000000000003',
    orgId: ORGS.globex.id,
    publisherId: PUBLISHERS.globexTomes.id,
    name: 'Science month',
    points: 3,
  },
} as const;
