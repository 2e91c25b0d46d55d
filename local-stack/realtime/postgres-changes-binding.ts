import { errorMessage } from '../errors.ts';
import type { JwtClaims } from '../db/index.ts';
import type { PostgresChangesPayload, PostgresChangesRegistration } from './postgres-changes/index.ts';
import type { Tenant } from './tenant.ts';

/**
 * A joining channel's `postgres_changes` bindings registered with the tenant's engine: the join
 * reply's entries (§2.4), and the live subscription when there is one.
 */
export function registerPostgresChanges(
  tenant: Tenant,
  bindings: readonly unknown[],
  claims: JwtClaims,
  deliver: (payload: PostgresChangesPayload) => void,
): { entries: Array<Record<string, unknown>>; registration?: PostgresChangesRegistration } {
  if (bindings.length === 0) return { entries: [] };
  const engine = tenant.pgChanges;
  if (engine) {
    try {
      const registration = engine.register(bindings, claims, deliver);
      return { entries: registration.replyEntries, registration };
    } catch (error) {
      tenant.log(`realtime: postgres_changes registration failed: ${errorMessage(error)}`);
    }
  }
  // realtime-js matches reply entries to its bindings by index: answer them even when nothing will flow.
  return {
    entries: bindings.map((binding, index) => ({
      ...(typeof binding === 'object' && binding !== null ? binding : {}),
      id: index + 1,
    })),
  };
}
