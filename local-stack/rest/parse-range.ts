import { parseError } from './postgrest-error.ts';
import type { Page } from './read-table.ts';

const RANGE = /^(?:items=)?(\d{1,15})-(\d{0,15})$/;

/**
 * The rows to return: `Range: 0-9` (PostgREST's header) intersected with `offset`/`limit`
 * (what supabase-js's `range()` sends).
 */
export function resolvePage(
  rangeHeader: string | undefined,
  offset: number | undefined,
  limit: number | undefined,
): Page {
  let from = 0;
  let to: number | undefined;
  if (rangeHeader?.trim()) {
    const match = RANGE.exec(rangeHeader.trim());
    if (!match) throw parseError('Range header', rangeHeader, 'expected <from>-<to>, e.g. 0-9');
    from = Number(match[1]);
    to = match[2] ? Number(match[2]) : undefined;
    if (to !== undefined && to < from)
      throw parseError('Range header', rangeHeader, 'the end of the range is before its start');
  }
  const start = from + (offset ?? 0);
  const headerLimit = to === undefined ? undefined : to - from + 1;
  const pageLimit =
    limit === undefined ? headerLimit : headerLimit === undefined ? limit : Math.min(limit, headerLimit);
  return pageLimit === undefined ? { offset: start } : { offset: start, limit: pageLimit };
}
