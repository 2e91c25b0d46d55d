import type { SupabaseClient } from '@supabase/supabase-js';
import { orgTopic } from '../../../src/contract/topics.ts';
import { BridgeError } from './http-error.ts';

export interface UserConnections {
  readonly userId: string;
  readonly connections: number;
}

export interface OrganizationStats {
  readonly organizationId: string;
  /** Distinct people online (two tabs of one user count once). */
  readonly users: number;
  /** Presence metas: one per tab, device or agent process. */
  readonly connections: number;
  readonly perUser: readonly UserConnections[];
}

/** Joining and hearing presence_state takes a round trip or two; a stuck join must not hang the request. */
const PRESENCE_TIMEOUT_MS = 5_000;

/**
 * Who is on `org:<org>`: joins it as the service role with presence on, reads the first
 * presence_state, then leaves and disconnects (no channel is left behind).
 * A meta's `userId` (what the client tracks) identifies its person; without one, the presence key does.
 */
export async function organizationStats(client: SupabaseClient, organizationId: string): Promise<OrganizationStats> {
  const channel = client.channel(orgTopic(organizationId), { config: { private: true } });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new BridgeError(
              504,
              'realtime_timeout',
              `No presence state for ${organizationId} within ${PRESENCE_TIMEOUT_MS} ms`,
            ),
          ),
        PRESENCE_TIMEOUT_MS,
      );
      channel.on('presence', { event: 'sync' }, () => {
        clearTimeout(timer);
        resolve();
      });
      channel.subscribe((status, error) => {
        if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
          clearTimeout(timer);
          reject(
            new BridgeError(
              502,
              'realtime_error',
              `Joining ${orgTopic(organizationId)} failed: ${error?.message ?? status}`,
            ),
          );
        }
      });
    });
    const state = channel.presenceState<Record<string, unknown>>();
    const perUser = new Map<string, number>();
    for (const [key, metas] of Object.entries(state)) {
      for (const meta of metas) {
        const person =
          typeof meta.userId === 'string' ? meta.userId : typeof meta.user_id === 'string' ? meta.user_id : key;
        perUser.set(person, (perUser.get(person) ?? 0) + 1);
      }
    }
    const list = [...perUser]
      .map(([userId, connections]) => ({ userId, connections }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
    return {
      organizationId,
      users: list.length,
      connections: list.reduce((sum, u) => sum + u.connections, 0),
      perUser: list,
    };
  } finally {
    await client.removeChannel(channel).catch(() => 'error');
  }
}

/** Every organisation's id (service role), for GET /stats without organizationId. */
export async function allOrganizationIds(service: SupabaseClient): Promise<string[]> {
  const { data, error } = await service.from('organizations').select('id').order('id');
  if (error) throw new BridgeError(502, 'upstream_error', `Listing organisations failed: ${error.message}`);
  return data.map((row) => row.id as string);
}
