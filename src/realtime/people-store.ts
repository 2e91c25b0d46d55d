import { z } from 'zod';
import { catchUpWhileActive, createCatchUp } from './catch-up.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

/** A member of the organisation as people see them: their profile's display name. */
export interface Person {
  readonly userId: string;
  readonly displayName: string;
  readonly avatarUrl: string | null;
  readonly role: 'owner' | 'admin' | 'member' | 'agent';
}

export type PeopleStore = ReadableStore<readonly Person[]>;

const memberRowSchema = z.object({ user_id: z.string(), role: z.enum(['owner', 'admin', 'member', 'agent']) });
const profileRowSchema = z.object({
  user_id: z.string(),
  display_name: z.string(),
  avatar_url: z.string().nullable(),
});

/** Memberships change rarely: re-read this often while someone is shown the list. */
const PEOPLE_RECHECK_MS = 60_000;

/**
 * The organisation's members with their display names (organization_members joined with
 * profiles, both under RLS), by name: whom the composer offers after `@`, and how items name
 * their authors. A member without a readable profile appears under a short form of their id.
 */
export function createPeopleStore(ctx: CoreContext): PeopleStore {
  let people: readonly Person[] = Object.freeze([]);

  const read = async (): Promise<void> => {
    await ctx.ready;
    const members = await readRows(
      ctx,
      'members read',
      memberRowSchema,
      ctx.supabase.from('organization_members').select('user_id,role').eq('organization_id', ctx.organizationId),
    );
    if (!members) return;
    const ids = members.map((m) => m.user_id);
    const profiles =
      ids.length === 0
        ? []
        : await readRows(
            ctx,
            'profiles read',
            profileRowSchema,
            ctx.supabase.from('profiles').select('user_id,display_name,avatar_url').in('user_id', ids),
          );
    if (!profiles) return;
    const byId = new Map(profiles.map((p) => [p.user_id, p]));
    const next = members
      .map((m) =>
        Object.freeze({
          userId: m.user_id,
          displayName: byId.get(m.user_id)?.display_name ?? m.user_id.slice(0, 8),
          avatarUrl: byId.get(m.user_id)?.avatar_url ?? null,
          role: m.role,
        }),
      )
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || (a.userId < b.userId ? -1 : 1));
    if (JSON.stringify(next) === JSON.stringify(people)) return;
    people = Object.freeze(next);
    store.invalidate();
  };

  const reader = createCatchUp(read, ctx.env, PEOPLE_RECHECK_MS);
  const store = createCoalescedStore<readonly Person[]>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => people,
    onActive: () => {
      reader.request();
      return catchUpWhileActive(ctx, reader);
    },
  });

  return { subscribe: store.subscribe, getSnapshot: store.getSnapshot };
}
