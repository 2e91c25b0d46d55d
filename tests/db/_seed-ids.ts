/** Ids of seed rows that src/local/fixture.ts does not list (supabase/seed.sql). */
export const SEED_TEAM_UPDATES = {
  acmeOrgWide: 'f0000000-0000-4000-8000-000000000001',
  acmeUsWestMention: 'f0000000-0000-4000-8000-000000000002',
  globexOrgWide: 'f0000000-0000-4000-8000-000000000003',
  acmeUsEast: 'f0000000-0000-4000-8000-000000000004',
} as const;

export const SEED_NOTIFICATIONS = {
  acmeOrgWide: 'e0000000-0000-4000-8000-000000000001',
  acmeOwnerPersonal: 'e0000000-0000-4000-8000-000000000002',
  globexOrgWide: 'e0000000-0000-4000-8000-000000000003',
} as const;

/** The seed's mention of west@acme.test creates this notification (its id is generated). */
export const SEED_MENTION_MESSAGE = 'You were mentioned: Sunrise Books assigned to west@acme.test';
