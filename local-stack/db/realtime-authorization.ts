import { randomUUID } from 'node:crypto';
import type { Database } from './database.ts';
import { isPostgresError } from './database.ts';
import { applyClaims, settingsForClaims, type JwtClaims } from './with-claims.ts';

export type RealtimeExtension = 'broadcast' | 'presence';

export interface ReadPolicies {
  broadcast: boolean;
  presence: boolean;
  /** Set when a policy raised: Realtime counts that as refusal and logs `RlsPolicyError`. */
  policyError?: string;
}

export interface AuthorizationContext {
  claims: JwtClaims;
  /** The bare channel name (no `realtime:`), what `realtime.topic()` returns. */
  topic: string;
  /** `request.headers`; for WebSocket joins only the upgrade's `x-*` headers. */
  headers?: Record<string, string>;
}

/**
 * Read check of a private channel (protocol reference §6.2): as the privileged connection role,
 * insert probe rows into realtime.messages, then switch to the caller's role and claims and see
 * which probes RLS lets it select; roll everything back.
 */
export async function checkRealtimeRead(
  db: Database,
  context: AuthorizationContext,
  options: { presence: boolean },
): Promise<ReadPolicies> {
  const probes: Array<{ id: string; extension: RealtimeExtension }> = [{ id: randomUUID(), extension: 'broadcast' }];
  if (options.presence) probes.push({ id: randomUUID(), extension: 'presence' });
  try {
    const settings = await settingsForClaims(db, context.claims);
    return await db.transaction(
      async (tx) => {
        for (const probe of probes) {
          await tx.query('insert into realtime.messages (id, topic, extension, private) values ($1, $2, $3, true)', [
            probe.id,
            context.topic,
            probe.extension,
          ]);
        }
        await applyClaims(tx, context.claims, { topic: context.topic, headers: context.headers ?? {} }, settings);
        const { rows } = await tx.query<{ id: string }>('select id from realtime.messages where id = any($1::uuid[])', [
          probes.map((p) => p.id),
        ]);
        const visible = new Set(rows.map((r) => r.id));
        const granted = (extension: RealtimeExtension) =>
          probes.some((p) => p.extension === extension && visible.has(p.id));
        return { broadcast: granted('broadcast'), presence: granted('presence') };
      },
      { rollback: true },
    );
  } catch (error) {
    if (!isPostgresError(error)) throw error;
    return { broadcast: false, presence: false, policyError: error.message };
  }
}

/**
 * Write check (§6.3): as the caller, insert a row per extension inside a savepoint; an RLS refusal
 * (SQLSTATE 42501) means no write. A policy that raises anything else also counts as refusal here
 * and is reported in `policyError`. Nothing persists.
 */
export async function checkRealtimeWrite(
  db: Database,
  context: AuthorizationContext,
  extensions: readonly RealtimeExtension[],
): Promise<Record<RealtimeExtension, boolean> & { policyError?: string }> {
  const result: Record<RealtimeExtension, boolean> & { policyError?: string } = { broadcast: false, presence: false };
  const settings = await settingsForClaims(db, context.claims);
  await db.transaction(
    async (tx) => {
      await applyClaims(tx, context.claims, { topic: context.topic, headers: context.headers ?? {} }, settings);
      for (const extension of extensions) {
        await tx.query('savepoint realtime_write_check');
        try {
          await tx.query('insert into realtime.messages (topic, extension, private) values ($1, $2, true)', [
            context.topic,
            extension,
          ]);
          result[extension] = true;
        } catch (error) {
          if (!isPostgresError(error)) throw error;
          if (error.code !== '42501') result.policyError = error.message;
        }
        await tx.query('rollback to savepoint realtime_write_check');
      }
    },
    { rollback: true },
  );
  return result;
}
