import { z } from 'zod';
import { MEMBER_ROLES, orgTopic, type MemberRole } from '../contract/index.ts';
import { createCatchUp } from './catch-up.ts';
import type { ChannelHandle } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

/** A person of the organisation, by name. */
export interface Person {
  readonly userId: string;
  readonly displayName: string;
  readonly avatarUrl: string | null;
  readonly role: MemberRole;
  /** Empty: every territory. */
  readonly territories: readonly string[];
  readonly joinedAt: string;
}

export interface PeopleSnapshot {
  /** False until the roster was first read. */
  readonly loaded: boolean;
  /** By display name. */
  readonly people: readonly Person[];
  readonly byId: ReadonlyMap<string, Person>;
}

export type PeopleStore = ReadableStore<PeopleSnapshot>;

const personRowSchema = z.object({
  user_id: z.string(),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  role: z.enum(MEMBER_ROLES),
  territories: z.array(z.string()),
  joined_at: z.string(),
});

/** The roster is read whole: an organisation's people, not an export. */
const MAX_PEOPLE = 2000;

const EMPTY: PeopleSnapshot = Object.freeze({ loaded: false, people: Object.freeze([]), byId: new Map() });

/**
 * The organisation's people with their names (`organization_people`: membership and profile),
 * read when the organisation's channel (re)joins and again whenever the database says the roster
 * or a profile changed (`member_change`, `profile_change` on `org:<org>`), so every name on the
 * page follows a rename, a new member or a removal within a second.
 */
export function createPeopleStore(ctx: CoreContext): PeopleStore {
  let snapshot = EMPTY;

  const read = async (): Promise<void> => {
    await ctx.ready;
    const rows = await readRows(
      ctx,
      'organization_people',
      personRowSchema,
      ctx.supabase
        .from('organization_people')
        .select('user_id,display_name,avatar_url,role,territories,joined_at')
        .eq('organization_id', ctx.organizationId)
        .order('display_name')
        .limit(MAX_PEOPLE),
    );
    if (!rows) return;
    const people = Object.freeze(
      rows.map((row) =>
        Object.freeze({
          userId: row.user_id,
          displayName: row.display_name ?? '',
          avatarUrl: row.avatar_url,
          role: row.role,
          territories: Object.freeze([...row.territories]),
          joinedAt: row.joined_at,
        }),
      ),
    );
    snapshot = Object.freeze({ loaded: true, people, byId: new Map(people.map((p) => [p.userId, p])) });
    store.invalidate();
  };
  const reader = createCatchUp(read, ctx.env, Number.POSITIVE_INFINITY);

  ctx.onAccessChange((change) => {
    if (change.kind === 'removed') {
      snapshot = EMPTY;
      store.invalidate();
    }
  });

  const store = createCoalescedStore<PeopleSnapshot>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => snapshot,
    onActive: () => {
      const topic = orgTopic(ctx.organizationId);
      const handle: ChannelHandle = ctx.acquire(topic, {
        onSubscribed: () => reader.request(),
        onBroadcast: (event, payload) => {
          if (event !== 'member_change' && event !== 'profile_change') return;
          if (ctx.acceptEvent(topic, event, payload)) reader.request();
        },
      });
      return () => handle.release();
    },
  });

  return { subscribe: store.subscribe, getSnapshot: store.getSnapshot };
}
