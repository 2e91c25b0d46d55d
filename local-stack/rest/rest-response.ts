/** What a `/rest/v1` handler answers: a status, PostgREST's headers and a JSON body (text, as Postgres produced it). */
export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export const ARRAY_CONTENT_TYPE = 'application/json; charset=utf-8';
export const OBJECT_CONTENT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';

/** How the client wants rows back, from `Accept`. */
export interface Representation {
  /** `application/vnd.pgrst.object+json`: exactly one row or 406 (supabase-js `single()`). */
  singular: boolean;
  /** `…;nulls=stripped`. */
  stripNulls: boolean;
}

/** `Content-Range` as PostgREST writes it: `0-3/*`, `0-3/4`, `*\/0`. */
export function contentRange(offset: number, rows: number, total: number | undefined): string {
  const of = total === undefined ? '*' : String(total);
  return rows === 0 ? `*/${of}` : `${offset}-${offset + rows - 1}/${of}`;
}
