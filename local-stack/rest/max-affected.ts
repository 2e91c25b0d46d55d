import type { Preferences } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';

/**
 * `Prefer: handling=strict, max-affected=N` (postgrest-js `.maxAffected(n)`): an update or delete
 * that touched more than N rows is refused with PGRST124. Thrown inside the request's
 * transaction, so the rows it changed are rolled back, as PostgREST does. With lenient handling
 * (the default) the preference is ignored, as in PostgREST.
 */
export function checkMaxAffected(affected: number, prefer: Preferences): void {
  if (prefer.handling !== 'strict' || prefer.maxAffected === undefined || affected <= prefer.maxAffected) return;
  throw new PostgrestError(
    400,
    'PGRST124',
    'Query result exceeds max-affected preference constraint',
    `The query affects ${affected} rows`,
  );
}
