import type { CoreContext } from './core-context.ts';
import type { Environment } from './environment.ts';
import { readWithTimeout, type AbortableRequest } from './read-timeout.ts';

type TerritoriesContext = Pick<CoreContext, 'supabase' | 'organizationId' | 'ready' | 'readTimeoutMs'>;

/** A read's answer; a failure or a read unanswered within `readTimeoutMs` throws. */
async function answer<Row>(
  ctx: TerritoriesContext,
  env: Environment,
  request: AbortableRequest<{ readonly data: Row; readonly error: unknown }>,
): Promise<Row> {
  const { result, timedOut } = await readWithTimeout(env, ctx.readTimeoutMs, request);
  if (result.error && timedOut) throw new Error(`territories: no answer within ${ctx.readTimeoutMs} ms`);
  if (result.error) throw result.error;
  return result.data;
}

/**
 * The territories whose topics the user may join: a restricted member's own list, otherwise
 * every territory of the organisation's publishers the user can read. Asking the tables (under
 * RLS) rather than guessing keeps a refused join — and its CHANNEL_ERROR loop — from ever happening.
 */
async function readTerritories(ctx: TerritoriesContext, env: Environment): Promise<readonly string[]> {
  const userId = await ctx.ready;
  if (userId === null) return [];
  const members = await answer(
    ctx,
    env,
    ctx.supabase
      .from('organization_members')
      .select('role,territories')
      .eq('organization_id', ctx.organizationId)
      .eq('user_id', userId)
      .limit(1),
  );
  const row = (members as { role?: string; territories?: unknown }[] | null)?.[0];
  const own = Array.isArray(row?.territories) ? row.territories.filter((t): t is string => typeof t === 'string') : [];
  const restricted = own.length > 0 && row?.role !== 'owner' && row?.role !== 'admin';
  if (restricted) return own;
  const data = await answer(
    ctx,
    env,
    ctx.supabase.from('publishers').select('territory').eq('organization_id', ctx.organizationId),
  );
  const all = new Set<string>();
  for (const item of (data ?? []) as { territory?: unknown }[])
    if (typeof item.territory === 'string') all.add(item.territory);
  return [...all].sort();
}

/** How long one answer is reused: a re-mount storm must not re-ask (a rights change forgets it at once). */
const TERRITORIES_TTL_MS = 60_000;

export interface CachedTerritories {
  /** What the core exposes as `ctx.territories()`. */
  get(): Promise<readonly string[]>;
  /** Forgets the answer: the user's rights changed (access-store.ts). */
  invalidate(): void;
}

/**
 * readTerritories, shared by every store of a core and reused for a minute (or until the user's
 * rights change); a failed read is not cached.
 */
export function cachedTerritories(ctx: TerritoriesContext, env: Environment): CachedTerritories {
  let cached: { at: number; value: Promise<readonly string[]> } | undefined;
  return {
    get() {
      if (cached && env.now() - cached.at < TERRITORIES_TTL_MS) return cached.value;
      const value = readTerritories(ctx, env);
      const entry = { at: env.now(), value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return value;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
