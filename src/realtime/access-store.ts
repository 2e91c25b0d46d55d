import { z } from 'zod';
import { MEMBER_ROLES, userTopic, type MemberRole } from '../contract/index.ts';
import { describeAccessChange, type Access, type AccessChange } from './access.ts';
import { createCatchUp } from './catch-up.ts';
import type { ChannelHandle } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

/** One organisation the user belongs to (for an organisation switcher). */
export interface Membership {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly role: MemberRole;
  readonly territories: readonly string[];
}

/** Something the person should be told about their rights ("You were moved to US_East"). */
export interface AccessNotice {
  readonly id: string;
  readonly message: string;
  /** `removed`: the organisation is gone from this page; `changed`: a role or territory change. */
  readonly kind: 'removed' | 'changed';
  readonly at: string;
}

export interface AccessSnapshot {
  /** `loading` until the membership was first read. */
  readonly status: 'loading' | 'member' | 'removed';
  readonly organizationName: string | null;
  readonly role: MemberRole | null;
  /** Empty: every territory. */
  readonly territories: readonly string[];
  /** Every organisation the user belongs to, kept live. */
  readonly memberships: readonly Membership[];
  /** Newest last; dismissed ones are gone. */
  readonly notices: readonly AccessNotice[];
}

export interface AccessStore extends ReadableStore<AccessSnapshot> {
  dismiss(noticeId: string): void;
}

/** What a change of rights does to the rest of the core (realtime-client.ts wires them). */
export interface AccessEffects {
  /** Leaves every channel of the organisation and joins none again (a removal). */
  revoke(): void;
  /** Lets the organisation's channels be joined again and retries refused ones. */
  readmit(): void;
  /** Pushes a fresh token to Realtime, which re-authorises every channel. */
  refreshToken(): Promise<void>;
  /** Tells every store (which re-reads, re-joins and drops what it may no longer see). */
  changed(change: AccessChange): void;
}

const membershipRowSchema = z.object({
  organization_id: z.string(),
  role: z.enum(MEMBER_ROLES),
  territories: z.array(z.string()),
  organizations: z.object({ name: z.string() }).nullable(),
});

const EMPTY: AccessSnapshot = Object.freeze({
  status: 'loading',
  organizationName: null,
  role: null,
  territories: Object.freeze([]),
  memberships: Object.freeze([]),
  notices: Object.freeze([]),
});

/**
 * The user's membership of the client's organisation, kept live: it listens on the user's own
 * topic for `member_change` (the database sends one whenever a membership of the user changes)
 * and re-reads the memberships after each one and after every (re)join of that topic (a change
 * missed while disconnected). A change of role or territories, or a removal, is applied to the
 * whole core through `effects` and told to the person as a notice.
 */
export function createAccessStore(ctx: CoreContext, effects: AccessEffects): AccessStore {
  let snapshot = EMPTY;
  let access: Access | null = null;
  let knownName: string | null = null;
  let handle: ChannelHandle | undefined;
  let noticeCount = 0;

  const store = createCoalescedStore<AccessSnapshot>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => snapshot,
    onActive: () => {
      let stopped = false;
      void ctx.ready.then((userId) => {
        if (stopped || userId === null) return;
        const topic = userTopic(userId);
        handle = ctx.acquire(topic, {
          onSubscribed: () => reader.request(),
          onBroadcast: (event, payload) => {
            if (event !== 'member_change') return;
            const change = ctx.acceptEvent(topic, 'member_change', payload);
            if (!change || change.data.userId !== userId) return;
            if (change.data.organizationId === ctx.organizationId && change.data.organizationName)
              knownName = change.data.organizationName;
            reader.request();
          },
        });
      });
      return () => {
        stopped = true;
        handle?.release();
        handle = undefined;
      };
    },
  });

  const set = (patch: Partial<AccessSnapshot>): void => {
    snapshot = Object.freeze({ ...snapshot, ...patch });
    store.invalidate();
  };

  const notify = (messages: readonly string[], kind: AccessNotice['kind']): AccessNotice[] =>
    messages.map((message) =>
      Object.freeze({ id: `access-${++noticeCount}`, message, kind, at: new Date(ctx.env.now()).toISOString() }),
    );

  const read = async (): Promise<void> => {
    const userId = await ctx.ready;
    if (userId === null) return;
    const rows = await readRows(
      ctx,
      'memberships',
      membershipRowSchema,
      ctx.supabase
        .from('organization_members')
        .select('organization_id,role,territories,organizations(name)')
        .eq('user_id', userId)
        .order('created_at'),
    );
    if (!rows) return;
    const memberships = Object.freeze(
      rows.map((row) =>
        Object.freeze({
          organizationId: row.organization_id,
          organizationName: row.organizations?.name ?? row.organization_id,
          role: row.role,
          territories: Object.freeze([...row.territories]),
        }),
      ),
    );
    const mine = memberships.find((m) => m.organizationId === ctx.organizationId);
    if (mine) knownName = mine.organizationName;
    const name = knownName ?? 'this organisation';
    const next: Access | null = mine ? { role: mine.role, territories: mine.territories } : null;
    const previous = access;
    const first = snapshot.status === 'loading';
    const wasRemoved = snapshot.status === 'removed';
    access = next;
    if (!next) {
      if (wasRemoved) return set({ memberships });
      const notices = first ? [] : notify(describeAccessChange(name, previous, null), 'removed');
      set({
        status: 'removed',
        organizationName: knownName,
        role: null,
        territories: Object.freeze([]),
        memberships,
        notices: [...snapshot.notices, ...notices],
      });
      effects.revoke();
      effects.changed({ kind: 'removed' });
      await effects.refreshToken();
      return;
    }
    const changed = !first && (wasRemoved || previous === null || !sameAccess(previous, next));
    const notices = changed ? notify(describeAccessChange(name, wasRemoved ? null : previous, next), 'changed') : [];
    set({
      status: 'member',
      organizationName: name,
      role: next.role,
      territories: next.territories,
      memberships,
      notices: [...snapshot.notices, ...notices],
    });
    if (!changed) return;
    // The stores leave what they may no longer join and re-read first; the token push then has
    // Realtime close anything left over, and refused topics are tried again under the new rights.
    effects.changed({ kind: 'updated', access: next, previous: wasRemoved ? null : previous });
    await effects.refreshToken();
    effects.readmit();
  };

  // Reads coalesce: a burst of changes (moved, then removed) reads once or twice, never in parallel.
  const reader = createCatchUp(read, ctx.env, Number.POSITIVE_INFINITY);

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    dismiss(noticeId) {
      if (!snapshot.notices.some((n) => n.id === noticeId)) return;
      set({ notices: snapshot.notices.filter((n) => n.id !== noticeId) });
    },
  };
}

function sameAccess(a: Access, b: Access): boolean {
  return a.role === b.role && a.territories.join('\u0000') === b.territories.join('\u0000');
}
