import { parseTopic } from '../contract/index.ts';
import type { ChannelSpec } from './channel-registry.ts';

/**
 * What the core joins a topic with: the organisation's channel carries its publishers as Postgres
 * changes (publisher-list-store.ts) and the user's presence; a collaboration topic the user's
 * presence; every other topic only broadcasts. The binding is part of the channel because
 * supabase-js takes bindings only before the join.
 */
export function channelSpecFor(topic: string, userId: string | null): ChannelSpec {
  const parsed = parseTopic(topic);
  const presenceKey = userId ?? undefined;
  if (parsed?.kind === 'org') {
    const postgresChanges = [{ table: 'publishers', filter: `organization_id=eq.${parsed.orgId}` }];
    return { topic, postgresChanges, ...(presenceKey ? { presenceKey } : {}) };
  }
  if (parsed?.kind === 'collab' && presenceKey) return { topic, presenceKey };
  return { topic };
}
