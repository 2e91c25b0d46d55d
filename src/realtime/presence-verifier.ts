import { z } from 'zod';
import { presenceMetaSchema } from '../contract/index.ts';
import type { PresenceState } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { readWithTimeout } from './read-timeout.ts';
import { RealtimeError } from './realtime-error.ts';

/*
 * The observing side of checked presence (docs/security.md "Identity on presence and activity"):
 * a presence entry counts only when the database confirms that a ticket in one of its metas was
 * issued to the entry's key for this topic; what the entry claims (online, viewing, editing a
 * field) is the database's answer, never the meta. Verdicts are cached: a valid ticket until
 * shortly before it expires, when it is asked about again (its holder renews it in place, so the
 * database's answer then has the new expiry: presence-tickets.ts), an unknown one for good (a
 * ticket cannot become valid later).
 */

/** One person whose presence the database vouches for. */
interface VerifiedPresence {
  readonly userId: string;
  /** What their tickets claim (`online`, `viewing`, `editing:<field>`), one per vouched meta. */
  readonly claims: readonly string[];
  /** Vouched metas: open tabs or devices. */
  readonly connections: number;
}

export interface PresenceVerifier {
  /** A new presence state of the topic: verifies tickets not seen before, then calls `onChange`. */
  update(state: PresenceState): void;
  /** The people the database vouches for now, by user id. */
  verified(): ReadonlyMap<string, VerifiedPresence>;
  stop(): void;
}

/** Verdicts kept per topic before the cache is emptied: far above any topic's honest presence. */
const MAX_VERDICTS = 2000;
/** Tickets per request (the SQL function's limit). */
const BATCH = 200;
/**
 * A valid ticket is asked about again this long before its cached verdict runs out. Holders renew
 * when a minute of the two is left, so by then a live ticket has been renewed (also when it is
 * asked COALESCE_MS early, with another); and a verdict is never re-asked sooner than this after
 * the last answer, so a ticket whose holder left is asked about at most twice more before it expires.
 */
const REVERIFY_BEFORE_MS = 20_000;
/**
 * When one ticket must be asked about, those due within this much more are asked in the same
 * request. RATIONALE: tickets are issued and renewed at scattered moments, so their re-verification
 * times drift apart; asked one by one, an observer of 25 people sent about 25 requests a minute per
 * topic, and 500 dashboards sent 150 a second, half of all the requests of `npm run soak`. Together,
 * an observer asks at most once per this interval per topic, however many people it sees.
 */
const COALESCE_MS = 15_000;
/** After a failed verification, ask again no sooner than this (what expires meanwhile still goes). */
const RETRY_MS = 5_000;

const rowSchema = z.object({ ticket: z.string(), user_id: z.string(), claim: z.string(), expires_in: z.number() });

type Verdict = {
  readonly userId: string;
  readonly claim: string;
  readonly validUntil: number;
  /** When the database gave this answer (`env.now()`). */
  readonly checkedAt: number;
} | null;

/** When a valid verdict is next asked about again, or undefined when it simply runs out first. */
function reverifyAt(verdict: NonNullable<Verdict>): number | undefined {
  const at = Math.max(verdict.validUntil - REVERIFY_BEFORE_MS, verdict.checkedAt + REVERIFY_BEFORE_MS);
  return at < verdict.validUntil ? at : undefined;
}

export function createPresenceVerifier(
  ctx: Pick<CoreContext, 'supabase' | 'env' | 'reportError' | 'readTimeoutMs'>,
  topic: string,
  onChange: () => void,
): PresenceVerifier {
  const verdicts = new Map<string, Verdict>();
  let state: PresenceState = {};
  let verified: ReadonlyMap<string, VerifiedPresence> = new Map();
  let inFlight = false;
  let again = false;
  let expiry: TimerHandle | undefined;
  let stopped = false;
  // After a failed verification, re-verifications wait until then (expiries do not).
  let retryAfter = 0;

  /**
   * Whether to ask about `ticket` at `asked`: `now` when it is unknown or its verdict is due; `soon`
   * when it may go along with a request made anyway (due within COALESCE_MS, and its verdict at
   * least REVERIFY_BEFORE_MS old, like any other re-ask); undefined otherwise.
   */
  const urgency = (ticket: string, asked: number): 'now' | 'soon' | undefined => {
    const verdict = verdicts.get(ticket);
    if (verdict === undefined) return 'now';
    if (verdict === null) return undefined;
    const due = reverifyAt(verdict);
    if (due === undefined) return undefined;
    if (due <= asked) return 'now';
    return due <= asked + COALESCE_MS && asked - verdict.checkedAt >= REVERIFY_BEFORE_MS ? 'soon' : undefined;
  };

  const ticketsOf = (metas: PresenceState[string]): string[] =>
    metas.flatMap((meta) => {
      const parsed = presenceMetaSchema.safeParse(meta);
      return parsed.success ? [parsed.data.ticket] : [];
    });

  const recompute = (): void => {
    const now = ctx.env.now();
    const next = new Map<string, VerifiedPresence>();
    let soonest = Number.POSITIVE_INFINITY;
    for (const [key, metas] of Object.entries(state)) {
      const claims: string[] = [];
      for (const ticket of ticketsOf(metas)) {
        const verdict = verdicts.get(ticket);
        if (!verdict || verdict.userId !== key || verdict.validUntil <= now) continue;
        claims.push(verdict.claim);
        const again = reverifyAt(verdict);
        soonest = Math.min(soonest, again === undefined ? verdict.validUntil : Math.max(again, retryAfter));
      }
      if (claims.length > 0)
        next.set(key, Object.freeze({ userId: key, claims: Object.freeze(claims), connections: claims.length }));
    }
    verified = next;
    if (expiry !== undefined) ctx.env.timers.clearTimeout(expiry);
    // At the soonest re-verification or expiry: verify() asks what is due, then recomputes.
    expiry = Number.isFinite(soonest)
      ? ctx.env.timers.setTimeout(() => void verify(), Math.max(0, soonest - now) + 1)
      : undefined;
    onChange();
  };

  const verify = async (): Promise<void> => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const asked = ctx.env.now();
      const tickets = [...new Set(Object.values(state).flatMap(ticketsOf))];
      const needed = tickets.filter((t) => urgency(t, asked) === 'now');
      // Tickets due soon only go along with a request that has to be made anyway.
      const soon = needed.length === 0 ? [] : tickets.filter((t) => urgency(t, asked) === 'soon');
      const unknown = [...needed, ...soon];
      for (let i = 0; i < unknown.length && !stopped; i += BATCH) {
        const batch = unknown.slice(i, i + BATCH);
        const { result } = await readWithTimeout(
          ctx.env,
          ctx.readTimeoutMs,
          ctx.supabase.rpc('verify_presence_tickets', { topic, tickets: batch }),
        );
        const { data, error } = result;
        if (error) {
          ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'verify_presence_tickets' }, error));
          retryAfter = ctx.env.now() + RETRY_MS;
          break;
        }
        if (verdicts.size + batch.length > MAX_VERDICTS) verdicts.clear();
        const now = ctx.env.now();
        // What the answer leaves out is not (or no longer) valid.
        for (const ticket of batch) verdicts.set(ticket, null);
        for (const item of Array.isArray(data) ? data : []) {
          const row = rowSchema.safeParse(item);
          if (row.success && batch.includes(row.data.ticket))
            verdicts.set(row.data.ticket, {
              userId: row.data.user_id,
              claim: row.data.claim,
              validUntil: now + row.data.expires_in * 1000,
              checkedAt: now,
            });
        }
      }
    } finally {
      inFlight = false;
    }
    if (stopped) return;
    recompute();
    if (again) {
      again = false;
      void verify();
    }
  };

  return {
    update(next) {
      state = next;
      recompute(); // what is already known shows at once (leaves, known tickets)
      void verify();
    },
    verified: () => verified,
    stop() {
      stopped = true;
      if (expiry !== undefined) ctx.env.timers.clearTimeout(expiry);
      expiry = undefined;
    },
  };
}
