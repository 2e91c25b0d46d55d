import { z } from 'zod';
import type { ChannelHandle } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import type { TimerHandle } from './environment.ts';
import { RealtimeError } from './realtime-error.ts';

/*
 * The tracking side of checked presence (docs/security.md "Identity on presence and activity"):
 * the database issues a ticket for (this user, topic, claim), the client tracks `{ ticket }`, and
 * renews it well before it expires so observers never see a gap.
 *
 * RATIONALE: the renewal extends the same ticket (`renew_presence_ticket`) instead of tracking a
 * new one. Every track is a presence diff delivered to everyone on the topic and counted against
 * the project's presence quota; a renewed ticket leaves the presence meta as it is, so a minute's
 * renewals cost nothing on Realtime (docs/capacity.md "Presence"). Only when the ticket is gone
 * (a tab that slept past its expiry, a change of membership) is a new one issued and tracked.
 */

/** A ticket lives two minutes (the SQL's `lifetime`); renewing every minute leaves a minute to spare. */
const RENEW_MS = 60_000;
/** After a failed issue (not a refusal), try again this soon: the presence is missing meanwhile. */
const RETRY_MS = 5_000;

const issuedSchema = z.object({ ticket: z.string(), expiresAt: z.string() });

export interface TicketedPresence {
  /** Claims `claim` on the topic (`online`, `viewing`, `editing:<field>`); the same claim again does nothing. */
  claim(claim: string): void;
  stop(): void;
}

export function createTicketedPresence(
  ctx: Pick<CoreContext, 'supabase' | 'env' | 'reportError'>,
  topic: string,
  handle: ChannelHandle,
): TicketedPresence {
  let current: string | null = null;
  let ticket: string | null = null;
  let generation = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const schedule = (ms: number, run: () => void): void => {
    if (timer !== undefined) ctx.env.timers.clearTimeout(timer);
    timer = ctx.env.timers.setTimeout(run, ms);
  };

  const issue = async (): Promise<void> => {
    const mine = ++generation;
    const claim = current;
    if (claim === null) return;
    const { data, error } = await ctx.supabase.rpc('issue_presence_ticket', { topic, claim });
    if (stopped || mine !== generation) return; // a newer claim is on its way
    const issued = issuedSchema.safeParse(data);
    if (error || !issued.success) {
      const context = { kind: 'request', operation: 'issue_presence_ticket' } as const;
      ctx.reportError(error ? RealtimeError.from(context, error) : new RealtimeError(context, 'unexpected answer'));
      // A refusal (rights gone) is final for this claim; anything else is worth another try.
      const refused = (error as { code?: string } | null)?.code === '42501';
      if (!refused) schedule(RETRY_MS, () => void issue());
      return;
    }
    ticket = issued.data.ticket;
    handle.track({ ticket });
    schedule(RENEW_MS, () => void renew());
  };

  const renew = async (): Promise<void> => {
    const mine = generation;
    const held = ticket;
    if (held === null) return issue();
    const { data, error } = await ctx.supabase.rpc('renew_presence_ticket', { ticket: held });
    if (stopped || mine !== generation) return; // a newer claim is on its way
    if (error || !issuedSchema.safeParse(data).success) {
      // Gone (expired while the tab slept, deleted by a change of membership) or refused: a new
      // ticket says whether the user may still be present; anything else is worth a new one too.
      ticket = null;
      return issue();
    }
    schedule(RENEW_MS, () => void renew());
  };

  return {
    claim(claim) {
      if (stopped || claim === current) return;
      current = claim;
      ticket = null;
      void issue();
    },
    stop() {
      stopped = true;
      generation++;
      if (timer !== undefined) ctx.env.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
