import { PostgrestError } from './postgrest-error.ts';
import type { Representation } from './rest-response.ts';

const ARRAY_TYPES = new Set([
  'application/json',
  'application/vnd.pgrst.array+json',
  'application/vnd.pgrst.array',
  '*/*',
  'application/*',
]);
const OBJECT_TYPES = new Set(['application/vnd.pgrst.object+json', 'application/vnd.pgrst.object']);

/** Picks the first media type of `Accept` the local stack can produce (JSON array or single object). */
export function negotiateRepresentation(accept: string | undefined): Representation {
  if (!accept?.trim()) return { singular: false, stripNulls: false };
  for (const entry of accept.split(',')) {
    const [type = '', ...parameters] = entry.split(';').map((s) => s.trim().toLowerCase());
    const stripNulls = parameters.includes('nulls=stripped');
    if (OBJECT_TYPES.has(type)) return { singular: true, stripNulls };
    if (ARRAY_TYPES.has(type)) return { singular: false, stripNulls };
  }
  throw new PostgrestError(406, 'PGRST107', `None of these media types are available: ${accept}`);
}
